# Production image: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=creditbank.settings.production \
    CREDITBANK_VAR_DIR=/srv/creditbank/var

# WeasyPrint needs Pango/HarfBuzz; poppler-utils checks PDF text layers; fonts-thai-tlwg is a
# fallback (Sarabun itself is vendored under static/vendor/sarabun).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 \
      fonts-thai-tlwg poppler-utils gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY creditbank ./creditbank
COPY institutions ./institutions
COPY courses ./courses
COPY equivalence ./equivalence
COPY learners ./learners
COPY skills ./skills
COPY reports ./reports
RUN pip install --no-cache-dir .
COPY . .
RUN useradd --system --home /srv/creditbank creditbank \
 && mkdir -p /srv/creditbank/var \
 && SECRET_KEY=build-only-not-secret-build-only-not-secret-build-only ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput \
 && chown -R creditbank /srv/creditbank
USER creditbank
EXPOSE 8000
CMD ["gunicorn", "creditbank.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
