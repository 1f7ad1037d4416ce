-- Setup step standing in for cutover's own schema translation (issue 14, helper `schema`),
-- until it creates identity columns, defaults and indexes on the target itself: the
-- application's key generators, defaults and foreign-key index on the MariaDB target.
ALTER TABLE app_account MODIFY account_id INT NOT NULL AUTO_INCREMENT,
  MODIFY created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6);
ALTER TABLE app_audit MODIFY audit_id INT NOT NULL AUTO_INCREMENT,
  MODIFY created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  ADD INDEX app_audit_account (account_id);
