//! Amazon Resource Names.

use crate::regions::{self, Partition};

/// A parsed ARN: `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: Partition,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

/// Parses an ARN, checking the partition and the account id.
pub fn parse(text: &str) -> Result<Arn<'_>, String> {
    // No ARN AWS issues holds white space or a control character; one that does would print
    // as something else (a newline can start a CI log command).
    let odd_byte = |b: u8| b <= b' ' || b == 0x7f;
    if text.bytes().any(odd_byte) || (!text.is_ascii() && text.chars().any(|c| c.is_whitespace() || c.is_control())) {
        return Err(format!(
            "`{}` is not an ARN: it holds white space or a control character",
            crate::diag::terminal_safe(text)
        ));
    }
    let mut parts = text.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("`{text}` is not an ARN (arn:partition:service:region:account:resource)"));
    };
    let partition =
        Partition::parse(partition).ok_or_else(|| format!("`{partition}` in `{text}` is not an AWS partition"))?;
    // AWS managed policies live in the account field `aws`: arn:aws:iam::aws:policy/...
    let aws_managed = account == "aws" && service == "iam" && resource.starts_with("policy/");
    if !account.is_empty() && !aws_managed && !is_account_id(account) {
        return Err(format!("`{account}` in `{text}` is not a 12-digit account id"));
    }
    if service.is_empty() || resource.is_empty() {
        return Err(format!("`{text}` lacks a service or a resource"));
    }
    Ok(Arn { partition, service, region, account, resource })
}

pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// An FSx resource ARN of the given type (`file-system`, `backup`, `volume`): the ARN, its
/// Region (the table's name, or a Region newer than the table when the name has a Region's
/// shape; the partition is then the ARN's), and the resource id.
pub fn parse_fsx<'a>(text: &'a str, resource_type: &str) -> Result<(Arn<'a>, &'static str, &'a str), String> {
    let arn = parse(text)?;
    if arn.service != "fsx" {
        return Err(format!("`{text}` is not an FSx ARN"));
    }
    let region = match regions::lookup(arn.region) {
        Some(known) if known.partition != arn.partition => {
            return Err(format!(
                "`{text}`: region `{}` is in partition `{}`, not `{}`",
                known.name, known.partition, arn.partition
            ));
        }
        Some(known) => known.name,
        None => regions::intern(arn.region).ok_or_else(|| match regions::suggest(arn.region) {
            Some(near) => format!("`{}` in `{text}` is not a Region (did you mean `{near}`?)", arn.region),
            None => format!("`{}` in `{text}` is not a Region", arn.region),
        })?,
    };
    if arn.account.is_empty() {
        return Err(format!("`{text}` has no account id"));
    }
    let id = arn
        .resource
        .strip_prefix(resource_type)
        .and_then(|rest| rest.strip_prefix('/'))
        .filter(|id| !id.is_empty())
        .ok_or_else(|| format!("`{text}` is not the ARN of a {resource_type}"))?;
    Ok((arn, region, id))
}

/// Whether `text` is an AWS managed policy ARN (`arn:<partition>:iam::aws:policy/...`).
pub fn is_aws_managed_policy(text: &str) -> bool {
    parse(text).is_ok_and(|arn| arn.account == "aws" && arn.service == "iam")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_managed_policy_arns() {
        for arn in [
            "arn:aws:iam::aws:policy/AmazonFSxFullAccess",
            "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
            "arn:aws-cn:iam::aws:policy/ReadOnlyAccess",
        ] {
            assert!(parse(arn).is_ok(), "{arn}");
            assert!(is_aws_managed_policy(arn), "{arn}");
        }
        // `aws` is no account anywhere else.
        assert!(parse("arn:aws:iam::aws:role/admin").is_err());
        assert!(parse("arn:aws:fsx:us-east-1:aws:backup/backup-1").is_err());
        assert!(!is_aws_managed_policy("arn:aws:iam::111122223333:policy/mine"));
    }

    #[test]
    fn fsx_arns() {
        let (arn, region, id) =
            parse_fsx("arn:aws:fsx:us-east-1:111122223333:backup/backup-0a1b2c3d4e5f60718", "backup").unwrap();
        assert_eq!(arn.account, "111122223333");
        assert_eq!(region, "us-east-1");
        assert_eq!(id, "backup-0a1b2c3d4e5f60718");
        for bad in [
            "",
            "arn:aws:fsx",
            "arn:aws:fsx:us-east-1:1234:backup/backup-1",
            "arn:aws:fsx:Backups:111122223333:backup/backup-1",
            "arn:aws-cn:fsx:us-east-1:111122223333:backup/backup-1",
            "arn:aws:ec2:us-east-1:111122223333:backup/backup-1",
            "arn:aws:fsx:us-east-1:111122223333:file-system/fs-1",
            "arn:aws:fsx:us-east-1:111122223333:backup/",
            "arn:nope:fsx:us-east-1:111122223333:backup/b",
        ] {
            assert!(parse_fsx(bad, "backup").is_err(), "{bad}");
        }
    }

    #[test]
    fn a_region_newer_than_the_table_is_read_from_the_arn() {
        let (arn, region, _) =
            parse_fsx("arn:aws:fsx:eu-west-4:111122223333:backup/backup-0123456789abcdef0", "backup").unwrap();
        assert_eq!(region, "eu-west-4");
        assert_eq!(arn.partition, Partition::Aws);
        let (arn, _, _) =
            parse_fsx("arn:aws-cn:fsx:cn-south-1:111122223333:file-system/fs-0123456789abcdef0", "file-system")
                .unwrap();
        assert_eq!(arn.partition, Partition::AwsCn);
    }
}
