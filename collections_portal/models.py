"""No models of its own. The module exists so Django sends this app ``post_migrate`` (it skips
apps without one), where ``collections_portal.dbroles`` re-applies the database roles."""
