# The alerts are managed from their own pages (/alerts/); the Django admin stays limited
# to logins, roles and tokens (see safework.core.admin).
