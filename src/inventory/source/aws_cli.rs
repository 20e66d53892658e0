//! Raw AWS CLI output, saved as it is printed: placed by each object's ARN.

use super::wire::{IamLists, InputFile};
use super::{FileLoader, Resource, merge_iam};
use crate::arn;
use crate::diag::Problem;
use crate::inventory::Inventory;
use crate::regions::Partition;

impl FileLoader {
    /// Raw AWS CLI output (`describe-file-systems`, `describe-backups`, `describe-volumes`,
    /// `get-account-authorization-details`): each object placed by its own ARN, a Region counted
    /// as collected only where an object of it was seen.
    pub(super) fn raw_output(&mut self, file: InputFile, inventory: &mut Inventory) {
        for (i, raw) in file.file_systems.unwrap_or_default().into_iter().enumerate() {
            let pointer = format!("/FileSystems/{i}");
            if let Some(fs) = self.file_system(raw, &pointer, None) {
                let account = inventory.account_mut(&fs.account, fs.partition);
                account.file_systems_collected.insert(fs.region);
                account.regions_seen.insert(fs.region);
                self.add(inventory, Resource::FileSystem(fs));
            }
        }
        self.backups_in_order(file.backups.unwrap_or_default(), "/Backups", None, |loader, backup| {
            let account = inventory.account_mut(&backup.account, backup.partition);
            account.backups_collected.insert(backup.region);
            account.regions_seen.insert(backup.region);
            loader.add(inventory, Resource::Backup(backup));
        });
        for (i, raw) in file.volumes.unwrap_or_default().into_iter().enumerate() {
            let pointer = format!("/Volumes/{i}");
            if let Some(volume) = self.volume(raw, &pointer, None) {
                let account = inventory.account_mut(&volume.account, volume.partition);
                account.volumes_collected.insert(volume.region);
                account.regions_seen.insert(volume.region);
                self.add(inventory, Resource::Volume(volume));
            }
        }
        let iam = IamLists {
            user_detail_list: file.users.unwrap_or_default(),
            group_detail_list: file.groups.unwrap_or_default(),
            role_detail_list: file.roles.unwrap_or_default(),
            policies: file.policies.unwrap_or_default(),
        };
        self.raw_iam(iam, inventory);
    }

    fn raw_iam(&mut self, mut lists: IamLists, inventory: &mut Inventory) {
        let empty = lists.user_detail_list.is_empty()
            && lists.group_detail_list.is_empty()
            && lists.role_detail_list.is_empty()
            && lists.policies.is_empty();
        if empty {
            return;
        }
        // Raw output carries no account id of its own: take it from the principals' ARNs.
        let arns = lists
            .user_detail_list
            .iter()
            .map(|u| u.arn.as_str())
            .chain(lists.role_detail_list.iter().map(|r| r.arn.as_str()))
            .chain(lists.group_detail_list.iter().map(|g| g.arn.as_str()))
            .chain(lists.policies.iter().map(|p| p.arn.as_str()));
        let mut owner: Option<(String, Partition)> = None;
        for text in arns {
            if let Ok(parsed) = arn::parse(text) {
                if parsed.account.is_empty() || parsed.account == "aws" {
                    continue;
                }
                match &owner {
                    None => owner = Some((parsed.account.to_string(), parsed.partition)),
                    Some((account, _)) if account != parsed.account => {
                        self.problems.push(
                            Problem::at(
                                "",
                                format!(
                                    "IAM output of two accounts (`{account}` and `{}`) in one file",
                                    parsed.account
                                ),
                            )
                            .with_help("save each account's get-account-authorization-details in its own file"),
                        );
                        return;
                    }
                    Some(_) => {}
                }
            }
        }
        let Some((account_id, partition)) = owner else {
            self.problems
                .push(Problem::at("", "cannot tell which account this IAM output belongs to: no principal ARN"));
            return;
        };
        self.check_iam(&mut lists, "", Some(&account_id));
        merge_iam(inventory.account_mut(&account_id, partition), lists);
    }
}
