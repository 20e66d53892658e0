//! Amazon Resource Names.

use crate::regions::{self, Partition, Region};

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
    let mut parts = text.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("`{text}` is not an ARN (arn:partition:service:region:account:resource)"));
    };
    let partition =
        Partition::parse(partition).ok_or_else(|| format!("`{partition}` in `{text}` is not an AWS partition"))?;
    if !account.is_empty() && !is_account_id(account) {
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

/// An FSx resource ARN of the given type (`file-system` or `backup`), with its Region looked up
/// in the built-in table and its partition checked against the Region's.
pub fn parse_fsx<'a>(text: &'a str, resource_type: &str) -> Result<(Arn<'a>, &'static Region, &'a str), String> {
    let arn = parse(text)?;
    if arn.service != "fsx" {
        return Err(format!("`{text}` is not an FSx ARN"));
    }
    let region = regions::lookup(arn.region).ok_or_else(|| match regions::suggest(arn.region) {
        Some(near) => format!("unknown region `{}` in `{text}` (did you mean `{near}`?)", arn.region),
        None => format!("unknown region `{}` in `{text}`", arn.region),
    })?;
    if region.partition != arn.partition {
        return Err(format!(
            "`{text}`: region `{}` is in partition `{}`, not `{}`",
            region.name, region.partition, arn.partition
        ));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fsx_arns() {
        let (arn, region, id) =
            parse_fsx("arn:aws:fsx:us-east-1:111122223333:backup/backup-0a1b2c3d4e5f60718", "backup").unwrap();
        assert_eq!(arn.account, "111122223333");
        assert_eq!(region.name, "us-east-1");
        assert_eq!(id, "backup-0a1b2c3d4e5f60718");
        for bad in [
            "",
            "arn:aws:fsx",
            "arn:aws:fsx:us-east-1:1234:backup/backup-1",
            "arn:aws:fsx:us-east-9:111122223333:backup/backup-1",
            "arn:aws-cn:fsx:us-east-1:111122223333:backup/backup-1",
            "arn:aws:ec2:us-east-1:111122223333:backup/backup-1",
            "arn:aws:fsx:us-east-1:111122223333:file-system/fs-1",
            "arn:aws:fsx:us-east-1:111122223333:backup/",
            "arn:nope:fsx:us-east-1:111122223333:backup/b",
        ] {
            assert!(parse_fsx(bad, "backup").is_err(), "{bad}");
        }
    }
}
