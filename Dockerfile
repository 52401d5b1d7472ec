# The portal's image: web, worker and beat run from it with different commands.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext nodejs npm \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml constraints.txt package.json package-lock.json ./
RUN pip install -c constraints.txt -e . && npm ci --no-audit --no-fund --loglevel=error
COPY . .
RUN python manage.py compilemessages -v0 --ignore=node_modules \
 && DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --no-input -v0

RUN useradd --system --home /app portal && mkdir -p /app/media && chown portal /app/media
USER portal
EXPOSE 8000
CMD ["gunicorn", "collections_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
