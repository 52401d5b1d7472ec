"""django.contrib.admin's app config with the agency's site (a module of its own: an app
config module is imported before the models are ready, the site's module imports forms)."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin (with autodiscovery) whose ``admin.site`` is the agency's site."""

    default_site = "collections_portal.admin_site.AgencyAdminSite"
