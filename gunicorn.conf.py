"""gunicorn reads this file from the working directory by default (web in the Procfile, the
Dockerfile's command, the system tests). Access lines name the path without its query
string: links carry secrets there (the unsubscribe ``?token=``, the OAuth callback's ``code``
and ``state``), and access logs are kept and shipped far more widely than the database."""

# The longest request line gunicorn reads (its maximum; the default is 4094). The application
# refuses URLs over MAX_URL_BYTES (4096) itself, with a JSON 414 (config/http_limits.py); this
# leaves room for those to reach it, so only lines over 8190 bytes get gunicorn's plain 414.
limit_request_line = 8190

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'
