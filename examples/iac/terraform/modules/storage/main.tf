variable "retention" {
  type = number
}

resource "aws_fsx_openzfs_file_system" "this" {
  deployment_type                   = "SINGLE_AZ_1"
  subnet_ids                        = ["subnet-0123456789abcdef0"]
  throughput_capacity               = 64
  storage_capacity                  = 64
  automatic_backup_retention_days   = var.retention
  copy_tags_to_backups              = true
  daily_automatic_backup_start_time = "03:00"
  tags = {
    Name = "dr-data"
    env  = "prod"
  }
}

output "arn" {
  value = aws_fsx_openzfs_file_system.this.arn
}
