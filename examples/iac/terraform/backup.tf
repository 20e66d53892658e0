resource "aws_kms_key" "dr" {
  provider    = aws.dr
  description = "FSx DR copies"
}

resource "aws_backup_vault" "primary" {
  name = "fsx-primary"
}

resource "aws_backup_vault" "dr" {
  provider    = aws.dr
  name        = "fsx-dr"
  kms_key_arn = aws_kms_key.dr.arn
}

resource "aws_backup_vault" "dr_legacy" {
  provider    = aws.dr
  name        = "fsx-dr-legacy"
  kms_key_arn = "arn:aws:kms:us-west-2:111122223333:key/9f8e7d6c-5b4a-4c3d-9e2f-1a0b9c8d7e6f"
}

# Daily at 05:00 to the DR vault (worst 24 + 1 + 3 = 28 hours), weekly to the legacy vault.
resource "aws_backup_plan" "fsx" {
  name = "fsx-daily"

  rule {
    rule_name         = "daily"
    target_vault_name = aws_backup_vault.primary.name
    schedule          = "cron(0 5 ? * * *)"
    start_window      = 60
    completion_window = 180
    lifecycle {
      delete_after = 35
    }
    copy_action {
      destination_vault_arn = aws_backup_vault.dr.arn
      lifecycle {
        delete_after = 35
      }
    }
  }

  rule {
    rule_name         = "weekly"
    target_vault_name = aws_backup_vault.primary.name
    schedule          = "cron(0 3 ? * SUN *)"
    start_window      = 60
    completion_window = 10080
    copy_action {
      destination_vault_arn = aws_backup_vault.dr_legacy.arn
    }
  }
}

# Sundays only, to the DR vault (worst 168 + 1 + 168 hours).
resource "aws_backup_plan" "weekly_only" {
  name = "fsx-weekly"

  dynamic "rule" {
    for_each = { weekly = "cron(0 3 ? * SUN *)" }
    content {
      rule_name         = rule.key
      target_vault_name = aws_backup_vault.primary.name
      schedule          = rule.value
      start_window      = 60
      completion_window = 10080
      copy_action {
        destination_vault_arn = aws_backup_vault.dr.arn
      }
    }
  }
}

resource "aws_backup_selection" "gold" {
  name         = "fsx-gold"
  iam_role_arn = "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole"
  plan_id      = aws_backup_plan.fsx.id

  selection_tag {
    type  = "STRINGEQUALS"
    key   = "backup"
    value = "gold"
  }
}

resource "aws_backup_selection" "windows" {
  name         = "fsx-windows"
  iam_role_arn = "arn:aws:iam::111122223333:role/service-role/AWSBackupDefaultServiceRole"
  plan_id      = aws_backup_plan.weekly_only.id
  resources    = [aws_fsx_windows_file_system.shares.arn]
}
