data "aws_iam_policy_document" "assume_backup" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "copy" {
  statement {
    sid       = "CopyToDr"
    actions   = ["fsx:CopyBackup", "fsx:DescribeBackups"]
    resources = ["arn:aws:fsx:*:${data.aws_caller_identity.current.account_id}:backup/*"]
  }
}

data "aws_caller_identity" "current" {}

resource "aws_iam_role" "dr_copy" {
  name               = "dr-copy"
  path               = "/service-role/"
  assume_role_policy = data.aws_iam_policy_document.assume_backup.json

  inline_policy {
    name   = "copy"
    policy = data.aws_iam_policy_document.copy.json
  }
}

resource "aws_iam_role" "backup_admin" {
  name               = "backup-admin"
  assume_role_policy = data.aws_iam_policy_document.assume_backup.json
}

resource "aws_iam_role_policy_attachment" "admin_fsx" {
  role       = aws_iam_role.backup_admin.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonFSxFullAccess"
}

resource "aws_iam_role" "backup_service" {
  name               = "backup-service"
  path               = "/service-role/"
  assume_role_policy = data.aws_iam_policy_document.assume_backup.json
}

resource "aws_iam_role_policy_attachment" "backup_service" {
  role       = aws_iam_role.backup_service.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
}

resource "aws_iam_role" "mystery" {
  name               = "mystery"
  assume_role_policy = data.aws_iam_policy_document.assume_backup.json
}

# A policy that names a file system's ARN: known only after apply.
data "aws_iam_policy_document" "late" {
  statement {
    actions   = ["fsx:DeleteBackup"]
    resources = [aws_fsx_openzfs_file_system.home.arn]
  }
}

resource "aws_iam_role_policy" "mystery" {
  name   = "late"
  role   = aws_iam_role.mystery.name
  policy = data.aws_iam_policy_document.late.json
}

resource "aws_iam_policy" "deleter" {
  name = "fsx-deleter"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "fsx:DeleteBackup", Resource = "*" }]
  })
}

resource "aws_iam_user" "ops" {
  name = "ops"
}

resource "aws_iam_user_policy_attachment" "ops" {
  user       = aws_iam_user.ops.name
  policy_arn = aws_iam_policy.deleter.arn
}
