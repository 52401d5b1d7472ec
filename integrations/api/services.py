"""The API's filing of a case lives in ``cases.services.filing``, shared with the portal and the
import; these names stay importable from here for the API's views and error handler."""

from cases.services.filing import DuplicateClaimError, case_file, claims_already_handed_over

__all__ = ["DuplicateClaimError", "case_file", "claims_already_handed_over"]
