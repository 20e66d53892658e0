//! Synthetic infrastructure code for benchmarks: a Terraform configuration of many `.tf` files,
//! and a large plan in `terraform show -json` shape. Every file system gets a daily backup plan
//! with a copy to us-west-2, a selection by tag, and an IAM role that may copy its backups;
//! every tenth disables automatic backups.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

/// Writes `files` `.tf` files (one file system, plan, selection, vault and role each) and a
/// provider file into `dir`.
pub fn terraform_dir(dir: &Path, files: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("providers.tf"),
        "provider \"aws\" {\n  region = \"us-east-1\"\n}\n\nprovider \"aws\" {\n  alias  = \"dr\"\n  region = \"us-west-2\"\n}\n\nlocals {\n  subnet = \"subnet-0123456789abcdef0\"\n}\n",
    )?;
    for i in 0..files {
        let retention = if i.is_multiple_of(10) { 0 } else { 7 + i % 20 };
        let text = format!(
            r#"resource "aws_fsx_openzfs_file_system" "fs_{i}" {{
  deployment_type                   = "SINGLE_AZ_1"
  subnet_ids                        = [local.subnet]
  throughput_capacity               = 64
  storage_capacity                  = 64
  automatic_backup_retention_days   = {retention}
  copy_tags_to_backups              = true
  daily_automatic_backup_start_time = "0{h}:00"
  tags = {{
    Name = "fs-{i}"
    team = "team-{team}"
  }}
}}

resource "aws_backup_vault" "dr_{i}" {{
  provider    = aws.dr
  name        = "dr-{i}"
  kms_key_arn = "arn:aws:kms:us-west-2:111122223333:key/00000000-0000-0000-0000-{i:012}"
}}

resource "aws_backup_plan" "plan_{i}" {{
  name = "plan-{i}"
  rule {{
    rule_name         = "daily"
    target_vault_name = "Default"
    schedule          = "cron(0 {h} ? * * *)"
    copy_action {{
      destination_vault_arn = aws_backup_vault.dr_{i}.arn
    }}
  }}
}}

resource "aws_backup_selection" "sel_{i}" {{
  name         = "sel-{i}"
  iam_role_arn = "arn:aws:iam::111122223333:role/backup"
  plan_id      = aws_backup_plan.plan_{i}.id
  resources    = [aws_fsx_openzfs_file_system.fs_{i}.arn]
}}

resource "aws_iam_role" "copier_{i}" {{
  name               = "copier-{i}"
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [] }})
  inline_policy {{
    name   = "copy"
    policy = jsonencode({{
      Version   = "2012-10-17"
      Statement = [{{ Effect = "Allow", Action = "fsx:CopyBackup", Resource = "arn:aws:fsx:*:111122223333:backup/*" }}]
    }})
  }}
}}
"#,
            h = i % 10,
            team = i % 7,
        );
        std::fs::write(dir.join(format!("fs_{i:05}.tf")), text)?;
    }
    Ok(())
}

/// Writes a plan of file systems (with their plans, selections and vaults) until it holds at
/// least `bytes` bytes; returns the number of file systems.
pub fn plan(bytes: usize, out: &mut impl Write) -> std::io::Result<usize> {
    let mut written = 0usize;
    let mut count = 0usize;
    let emit = |out: &mut dyn Write, text: &str, written: &mut usize| -> std::io::Result<()> {
        *written += text.len();
        out.write_all(text.as_bytes())
    };
    emit(out, "{\"format_version\":\"1.2\",\"terraform_version\":\"1.9.5\",\"resource_changes\":[", &mut written)?;
    let mut configuration = String::new();
    // `planned_values` repeats each resource's values, as Terraform writes them.
    let mut planned = String::new();
    while written + configuration.len() + planned.len() < bytes {
        let i = count;
        let retention = if i.is_multiple_of(10) { 0 } else { 7 + i % 20 };
        let separator = if i == 0 { "" } else { "," };
        let change = format!(
            r#"{separator}{{"address":"aws_fsx_openzfs_file_system.fs_{i}","mode":"managed","type":"aws_fsx_openzfs_file_system","name":"fs_{i}","provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":["create"],"before":null,"after":{{"automatic_backup_retention_days":{retention},"copy_tags_to_backups":true,"copy_tags_to_volumes":false,"daily_automatic_backup_start_time":"0{h}:00","deployment_type":"SINGLE_AZ_1","storage_capacity":64,"storage_type":"SSD","subnet_ids":["subnet-0123456789abcdef0"],"throughput_capacity":64,"tags":{{"Name":"fs-{i}","team":"team-{team}"}},"tags_all":{{"Name":"fs-{i}","team":"team-{team}"}}}},"after_unknown":{{"arn":true,"dns_name":true,"id":true,"kms_key_id":true,"network_interface_ids":true,"owner_id":true,"root_volume_id":true,"vpc_id":true,"weekly_maintenance_start_time":true,"disk_iops_configuration":true,"root_volume_configuration":true}}}}}},{{"address":"aws_backup_vault.dr_{i}","mode":"managed","type":"aws_backup_vault","name":"dr_{i}","change":{{"actions":["create"],"before":null,"after":{{"name":"dr-{i}","kms_key_arn":"arn:aws:kms:us-west-2:111122223333:key/00000000-0000-0000-0000-{i:012}"}},"after_unknown":{{"arn":true,"id":true}}}}}},{{"address":"aws_backup_plan.plan_{i}","mode":"managed","type":"aws_backup_plan","name":"plan_{i}","change":{{"actions":["create"],"before":null,"after":{{"name":"plan-{i}","rule":[{{"rule_name":"daily","schedule":"cron(0 {h} ? * * *)","start_window":60,"completion_window":180,"copy_action":[{{"lifecycle":[]}}]}}]}},"after_unknown":{{"arn":true,"id":true,"rule":[{{"copy_action":[{{"destination_vault_arn":true}}]}}]}}}}}},{{"address":"aws_backup_selection.sel_{i}","mode":"managed","type":"aws_backup_selection","name":"sel_{i}","change":{{"actions":["create"],"before":null,"after":{{"name":"sel-{i}","iam_role_arn":"arn:aws:iam::111122223333:role/backup"}},"after_unknown":{{"id":true,"plan_id":true,"resources":true}}}}}}"#,
            h = i % 10,
            team = i % 7,
        );
        emit(out, &change, &mut written)?;
        let config_separator = if i == 0 { "" } else { "," };
        planned.push_str(&format!(
            r#"{config_separator}{{"address":"aws_fsx_openzfs_file_system.fs_{i}","mode":"managed","type":"aws_fsx_openzfs_file_system","name":"fs_{i}","provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":{{"automatic_backup_retention_days":{retention},"copy_tags_to_backups":true,"daily_automatic_backup_start_time":"0{h}:00","deployment_type":"SINGLE_AZ_1","storage_capacity":64,"storage_type":"SSD","subnet_ids":["subnet-0123456789abcdef0"],"throughput_capacity":64,"tags":{{"Name":"fs-{i}","team":"team-{team}"}}}},"sensitive_values":{{}}}},{{"address":"aws_backup_plan.plan_{i}","mode":"managed","type":"aws_backup_plan","name":"plan_{i}","provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":{{"name":"plan-{i}","rule":[{{"rule_name":"daily","schedule":"cron(0 {h} ? * * *)","start_window":60,"completion_window":180,"copy_action":[{{"lifecycle":[]}}]}}]}},"sensitive_values":{{}}}}"#,
            h = i % 10,
            team = i % 7,
        ));
        configuration.push_str(&format!(
            r#"{config_separator}{{"address":"aws_backup_vault.dr_{i}","mode":"managed","type":"aws_backup_vault","name":"dr_{i}","provider_config_key":"aws.dr","expressions":{{}}}},{{"address":"aws_backup_plan.plan_{i}","mode":"managed","type":"aws_backup_plan","name":"plan_{i}","provider_config_key":"aws","expressions":{{"rule":[{{"rule_name":{{"constant_value":"daily"}},"copy_action":[{{"destination_vault_arn":{{"references":["aws_backup_vault.dr_{i}.arn","aws_backup_vault.dr_{i}"]}}}}]}}]}}}},{{"address":"aws_backup_selection.sel_{i}","mode":"managed","type":"aws_backup_selection","name":"sel_{i}","provider_config_key":"aws","expressions":{{"plan_id":{{"references":["aws_backup_plan.plan_{i}.id","aws_backup_plan.plan_{i}"]}},"resources":{{"references":["aws_fsx_openzfs_file_system.fs_{i}.arn","aws_fsx_openzfs_file_system.fs_{i}"]}}}}}},{{"address":"aws_fsx_openzfs_file_system.fs_{i}","mode":"managed","type":"aws_fsx_openzfs_file_system","name":"fs_{i}","provider_config_key":"aws","expressions":{{}}}}"#
        ));
        count += 1;
    }
    emit(out, "],\"planned_values\":{\"root_module\":{\"resources\":[", &mut written)?;
    emit(out, &planned, &mut written)?;
    emit(
        out,
        "]}},\"configuration\":{\"provider_config\":{\"aws\":{\"name\":\"aws\",\"expressions\":{\"region\":{\"constant_value\":\"us-east-1\"}}},\"aws.dr\":{\"name\":\"aws\",\"alias\":\"dr\",\"expressions\":{\"region\":{\"constant_value\":\"us-west-2\"}}}},\"root_module\":{\"resources\":[",
        &mut written,
    )?;
    emit(out, &configuration, &mut written)?;
    emit(out, "]}}}\n", &mut written)?;
    Ok(count)
}
