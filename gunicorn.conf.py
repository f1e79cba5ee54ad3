"""gunicorn reads this file from the working directory by default (web in the Procfile, the
Dockerfile's command, the system tests). Access lines name the path without its query
string: links carry secrets there (the unsubscribe ``?token=``, the OAuth callback's ``code``
and ``state``), and access logs are kept and shipped far more widely than the database."""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'
