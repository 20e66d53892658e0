# The configuration behind tests/fixtures/iac/plan.json, for fsx-guard's static evaluation.
# Every verdict is written down in tests/iac.rs (this is also its test fixture).
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "dr"
  region = "us-west-2"
}

locals {
  subnet      = "subnet-0123456789abcdef0"
  common_tags = { env = "prod" }
}

# Everything set: passes.
resource "aws_fsx_openzfs_file_system" "home" {
  deployment_type                   = "SINGLE_AZ_1"
  subnet_ids                        = [local.subnet]
  throughput_capacity               = 64
  storage_capacity                  = 64
  automatic_backup_retention_days   = 14
  copy_tags_to_backups              = true
  daily_automatic_backup_start_time = "05:00"
  tags                              = merge(local.common_tags, { Name = "home", backup = "gold" })
}

# Retention left out: the provider's default, 0, turns automatic backups off.
resource "aws_fsx_openzfs_file_system" "scratch" {
  deployment_type     = "SINGLE_AZ_1"
  subnet_ids          = [local.subnet]
  throughput_capacity = 64
  storage_capacity    = 64
  tags                = merge(local.common_tags, { Name = "scratch" })
}

# Retention from a variable that terraform.tfvars sets to 3.
resource "aws_fsx_windows_file_system" "shares" {
  deployment_type                   = "SINGLE_AZ_2"
  subnet_ids                        = [local.subnet]
  throughput_capacity               = 32
  storage_capacity                  = 32
  active_directory_id               = "d-1234567890"
  automatic_backup_retention_days   = var.windows_retention
  copy_tags_to_backups              = true
  daily_automatic_backup_start_time = "23:30"
  tags                              = merge(local.common_tags, { Name = "shares" })
}

resource "aws_fsx_lustre_file_system" "hpc" {
  deployment_type  = "SCRATCH_2"
  storage_capacity = 1200
  subnet_ids       = [local.subnet]
  tags             = merge(local.common_tags, { Name = "hpc" })
}

# Persistent Lustre without a retention: AWS's default for Lustre is 0.
resource "aws_fsx_lustre_file_system" "results" {
  deployment_type             = "PERSISTENT_2"
  per_unit_storage_throughput = 125
  storage_capacity            = 1200
  subnet_ids                  = [local.subnet]
  tags                        = merge(local.common_tags, { Name = "results" })
}

data "aws_ssm_parameter" "ontap_days" {
  name = "/storage/ontap/retention"
}

# Retention read from SSM by Terraform: not known to a static check.
resource "aws_fsx_ontap_file_system" "nas" {
  deployment_type                   = "MULTI_AZ_1"
  storage_capacity                  = 1024
  subnet_ids                        = [local.subnet, "subnet-0fedcba9876543210"]
  preferred_subnet_id               = local.subnet
  throughput_capacity               = 128
  automatic_backup_retention_days   = tonumber(data.aws_ssm_parameter.ontap_days.value)
  daily_automatic_backup_start_time = "04:00"
  tags                              = merge(local.common_tags, { Name = "nas" })
}

resource "aws_fsx_openzfs_file_system" "rebuilt" {
  deployment_type                 = "SINGLE_AZ_1"
  subnet_ids                      = [local.subnet]
  throughput_capacity             = 64
  storage_capacity                = 64
  automatic_backup_retention_days = 1
  copy_tags_to_backups            = true
  tags                            = merge(local.common_tags, { Name = "rebuilt" })
}

module "dr_storage" {
  source    = "./modules/storage"
  count     = 1
  providers = { aws = aws.dr }
  retention = 7
}

resource "aws_fsx_ontap_storage_virtual_machine" "svm" {
  file_system_id = aws_fsx_ontap_file_system.nas.id
  name           = "svm1"
}

resource "aws_fsx_ontap_volume" "data" {
  name                       = "data"
  junction_path              = "/data"
  size_in_megabytes          = 1024
  storage_efficiency_enabled = true
  copy_tags_to_backups       = true
  storage_virtual_machine_id = aws_fsx_ontap_storage_virtual_machine.svm.id
  tags                       = { backup = "gold" }
}

# Not tagged for the gold selection: nothing copies it to us-west-2.
resource "aws_fsx_ontap_volume" "logs" {
  name                       = "logs"
  junction_path              = "/logs"
  size_in_megabytes          = 1024
  storage_efficiency_enabled = true
  copy_tags_to_backups       = true
  storage_virtual_machine_id = aws_fsx_ontap_storage_virtual_machine.svm.id
}
