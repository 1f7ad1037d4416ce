-- The application's own tables next to the oltp workload, on a MariaDB source: AUTO_INCREMENT
-- keys, a foreign key with its index, defaults. The last rows are deleted so the source's
-- counters are ahead of the largest key: the switch must move the target past the counters,
-- not just past max(key).
CREATE TABLE app_account (
  account_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(200) NOT NULL UNIQUE,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB;
CREATE TABLE app_audit (
  audit_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_id INT NOT NULL,
  note VARCHAR(200) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY app_audit_account (account_id),
  CONSTRAINT app_audit_account_fk FOREIGN KEY (account_id) REFERENCES app_account (account_id))
  ENGINE=InnoDB;
INSERT INTO app_account (email, created_at)
  SELECT CONCAT('user', seq, '@example.com'), '2024-01-01 00:00:00' FROM seq_1_to_300;
INSERT INTO app_audit (account_id, note, created_at)
  SELECT 1 + seq % 250, CONCAT('seed ', seq), '2024-01-01 00:00:00' FROM seq_1_to_2000;
DELETE FROM app_audit WHERE audit_id > 1900;
DELETE FROM app_account WHERE account_id > 250;
