# The portal's image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 1000 portal

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Translations are compiled and static files collected at build time; the build needs a
# throw-away secret only to import the settings.
RUN DEBUG=0 SECRET_KEY=build-only-secret-key-build-only-secret-key-build-only \
        python manage.py compile_translations \
    && DEBUG=0 SECRET_KEY=build-only-secret-key-build-only-secret-key-build-only \
        python manage.py collectstatic --no-input \
    && mkdir -p /app/var/media && chown -R portal /app/var

USER portal
EXPOSE 8000
CMD ["gunicorn", "platform_site.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
