//! The inventory generator shared by `examples/generate.rs` and `benches/check.rs`.

#![allow(clippy::indexing_slicing, reason = "a generator of test data, indexing by modulo")]

use std::io::Write;

const ACCOUNTS: [&str; 3] = ["111122223333", "444455556666", "777788889999"];
const REGIONS: [&str; 4] = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];
const NOW: i64 = 1_795_586_400; // 2026-11-25T06:00:00Z
const PER_FILE_SYSTEM: usize = 300;

pub fn inventory(total: usize, out: &mut impl Write) -> std::io::Result<()> {
    let cells = ACCOUNTS.len() * REGIONS.len();
    let per_cell = total.div_ceil(cells).max(1);
    write!(out, "{{\"version\":1,\"collected_at\":\"2026-11-25T06:00:00Z\",\"accounts\":[")?;
    let mut n = 0usize;
    for (a, account) in ACCOUNTS.iter().enumerate() {
        if a > 0 {
            write!(out, ",")?;
        }
        write!(out, "{{\"account_id\":\"{account}\",\"partition\":\"aws\",\"regions\":{{")?;
        for (r, region) in REGIONS.iter().enumerate() {
            if r > 0 {
                write!(out, ",")?;
            }
            let file_systems = per_cell.div_ceil(PER_FILE_SYSTEM);
            write!(out, "\"{region}\":{{\"FileSystems\":[")?;
            for f in 0..file_systems {
                if f > 0 {
                    write!(out, ",")?;
                }
                let id = format!("fs-{:017x}", (a * 4 + r) * 1_000_000 + f);
                let days = [7, 14, 35, 0, 40][f % 5];
                write!(
                    out,
                    "{{\"OwnerId\":\"{account}\",\"CreationTime\":1700000000,\"FileSystemId\":\"{id}\",\"FileSystemType\":\"OPENZFS\",\"Lifecycle\":\"AVAILABLE\",\"StorageCapacity\":1024,\"StorageType\":\"SSD\",\"ResourceARN\":\"arn:aws:fsx:{region}:{account}:file-system/{id}\",\"Tags\":[{{\"Key\":\"Name\",\"Value\":\"fs-{f}\"}},{{\"Key\":\"env\",\"Value\":\"prod\"}}],\"OpenZFSConfiguration\":{{\"AutomaticBackupRetentionDays\":{days},\"CopyTagsToBackups\":{},\"DailyAutomaticBackupStartTime\":\"0{}:00\",\"DeploymentType\":\"SINGLE_AZ_HA_2\",\"ThroughputCapacity\":320}}}}",
                    f % 7 != 0,
                    f % 10
                )?;
            }
            write!(out, "],\"Backups\":[")?;
            for b in 0..per_cell {
                if b > 0 {
                    write!(out, ",")?;
                }
                n += 1;
                let fs = format!("fs-{:017x}", (a * 4 + r) * 1_000_000 + b / PER_FILE_SYSTEM);
                let id = format!("backup-{n:017x}");
                let age = (b % PER_FILE_SYSTEM) as i64 * 86_400 / 3 + 3_600;
                let (kind, name) = match b % 10 {
                    0 => (
                        "USER_INITIATED",
                        if b % 20 == 0 { ",{\"Key\":\"Name\",\"Value\":\"pre-change\"}" } else { "" },
                    ),
                    1 => ("AWS_BACKUP", ""),
                    _ => ("AUTOMATIC", ""),
                };
                let lifecycle = if b % 97 == 0 { "FAILED" } else { "AVAILABLE" };
                let copy = if b % 50 == 3 {
                    format!(
                        ",\"SourceBackupId\":\"backup-{:017x}\",\"SourceBackupRegion\":\"{}\"",
                        n + 1,
                        REGIONS[(r + 1) % 4]
                    )
                } else {
                    String::new()
                };
                write!(
                    out,
                    "{{\"BackupId\":\"{id}\",\"Lifecycle\":\"{lifecycle}\",\"Type\":\"{kind}\",\"CreationTime\":{},\"KmsKeyId\":\"arn:aws:kms:{region}:{account}:key/1a2b3c4d-5e6f-4a5b-8c9d-0e1f2a3b4c5d\",\"ResourceARN\":\"arn:aws:fsx:{region}:{account}:backup/{id}\",\"Tags\":[{{\"Key\":\"env\",\"Value\":\"prod\"}}{name}],\"FileSystem\":{{\"FileSystemId\":\"{fs}\",\"FileSystemType\":\"OPENZFS\",\"OwnerId\":\"{account}\"}},\"OwnerId\":\"{account}\",\"ResourceType\":\"FILE_SYSTEM\",\"SizeInBytes\":48318382080{copy}}}",
                    NOW - age
                )?;
            }
            write!(out, "]}}")?;
        }
        write!(out, "}},\"errors\":[]}}")?;
    }
    writeln!(out, "]}}")
}
