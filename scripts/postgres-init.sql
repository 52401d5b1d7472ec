-- Run by the postgres image of docker-compose.yml when its data volume is first made: the
-- application's role (DATABASE_URL), which logs in and owns nothing. `manage.py migrate`, as the
-- owner (DATABASE_OWNER_URL), grants it rows and protects the append-only records
-- (collections_portal/dbroles.py). A volume made before this file: run this statement once with
-- docker compose exec postgres psql -U inkasso -d inkasso -c "CREATE ROLE ...".
CREATE ROLE inkasso_app LOGIN PASSWORD 'inkasso_app' NOCREATEDB NOCREATEROLE;
