//! The built-in table of AWS Regions: name, partition and whether the Region is opt-in.
//!
//! Region facts live here and nowhere else. Rules ask this table whether a Region exists, which
//! partition it belongs to and whether cross-Region copies can reach it; the policy linter uses
//! it for "did you mean" hints.

/// An AWS partition (the second field of an ARN).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Partition {
    Aws,
    AwsCn,
    AwsUsGov,
    AwsIso,
    AwsIsoB,
    AwsIsoE,
    AwsIsoF,
    AwsEusc,
}

impl Partition {
    pub const ALL: [Partition; 8] = [
        Partition::Aws,
        Partition::AwsCn,
        Partition::AwsUsGov,
        Partition::AwsIso,
        Partition::AwsIsoB,
        Partition::AwsIsoE,
        Partition::AwsIsoF,
        Partition::AwsEusc,
    ];

    /// The partition's name as it appears in ARNs.
    pub fn as_str(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
            Partition::AwsIso => "aws-iso",
            Partition::AwsIsoB => "aws-iso-b",
            Partition::AwsIsoE => "aws-iso-e",
            Partition::AwsIsoF => "aws-iso-f",
            Partition::AwsEusc => "aws-eusc",
        }
    }

    pub fn parse(name: &str) -> Option<Partition> {
        Partition::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One AWS Region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub name: &'static str,
    pub partition: Partition,
    /// Opt-in Regions (launched after March 2019) must be enabled per account; FSx cannot copy
    /// backups to or from them across Regions.
    pub opt_in: bool,
}

const fn r(name: &'static str, partition: Partition, opt_in: bool) -> Region {
    Region { name, partition, opt_in }
}

use Partition::*;

/// Every AWS Region fsx-guard knows, sorted by name.
pub const REGIONS: &[Region] = &[
    r("af-south-1", Aws, true),
    r("ap-east-1", Aws, true),
    r("ap-east-2", Aws, true),
    r("ap-northeast-1", Aws, false),
    r("ap-northeast-2", Aws, false),
    r("ap-northeast-3", Aws, false),
    r("ap-south-1", Aws, false),
    r("ap-south-2", Aws, true),
    r("ap-southeast-1", Aws, false),
    r("ap-southeast-2", Aws, false),
    r("ap-southeast-3", Aws, true),
    r("ap-southeast-4", Aws, true),
    r("ap-southeast-5", Aws, true),
    r("ap-southeast-6", Aws, true),
    r("ap-southeast-7", Aws, true),
    r("ca-central-1", Aws, false),
    r("ca-west-1", Aws, true),
    r("cn-north-1", AwsCn, false),
    r("cn-northwest-1", AwsCn, false),
    r("eu-central-1", Aws, false),
    r("eu-central-2", Aws, true),
    r("eu-isoe-west-1", AwsIsoE, false),
    r("eu-north-1", Aws, false),
    r("eu-south-1", Aws, true),
    r("eu-south-2", Aws, true),
    r("eu-west-1", Aws, false),
    r("eu-west-2", Aws, false),
    r("eu-west-3", Aws, false),
    r("eusc-de-east-1", AwsEusc, false),
    r("il-central-1", Aws, true),
    r("me-central-1", Aws, true),
    r("me-south-1", Aws, true),
    r("mx-central-1", Aws, true),
    r("sa-east-1", Aws, false),
    r("us-east-1", Aws, false),
    r("us-east-2", Aws, false),
    r("us-gov-east-1", AwsUsGov, false),
    r("us-gov-west-1", AwsUsGov, false),
    r("us-iso-east-1", AwsIso, false),
    r("us-iso-west-1", AwsIso, false),
    r("us-isob-east-1", AwsIsoB, false),
    r("us-isof-east-1", AwsIsoF, false),
    r("us-isof-south-1", AwsIsoF, false),
    r("us-west-1", Aws, false),
    r("us-west-2", Aws, false),
];

/// Looks a Region up by its exact name.
pub fn lookup(name: &str) -> Option<&'static Region> {
    REGIONS.binary_search_by(|region| region.name.cmp(name)).ok().and_then(|i| REGIONS.get(i))
}

/// Whether `name` has the shape of an AWS Region name (`us-east-1`, `us-gov-west-1`,
/// `eusc-de-east-1`): lower-case words joined by hyphens and ending in a number, at most 20
/// characters (the FSx API model's `Region`: `^[a-z0-9-]{1,20}$`).
pub fn is_region_shaped(name: &str) -> bool {
    let mut words = name.split('-');
    let Some(last) = words.next_back() else { return false };
    let words: Vec<&str> = words.collect();
    name.len() <= 20
        && words.len() >= 2
        && words.iter().all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !last.is_empty()
        && last.len() <= 3
        && last.bytes().all(|b| b.is_ascii_digit())
}

/// A Region name with a `'static` lifetime: the table's own for known Regions; for a Region newer
/// than the table (shaped like a Region name), one copy kept for the rest of the run. `None` for
/// a name that is not shaped like a Region.
pub fn intern(name: &str) -> Option<&'static str> {
    if let Some(region) = lookup(name) {
        return Some(region.name);
    }
    if !is_region_shaped(name) {
        return None;
    }
    static NEW: std::sync::OnceLock<std::sync::Mutex<std::collections::BTreeSet<&'static str>>> =
        std::sync::OnceLock::new();
    let mut new = NEW.get_or_init(Default::default).lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(known) = new.get(name) {
        return Some(known);
    }
    // Bounded by the number of distinct Region-shaped names in the inputs (at most 20 bytes each).
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    new.insert(leaked);
    Some(leaked)
}

/// A known Region at most two edits (insertions, deletions, substitutions, transpositions) from
/// `name`: then `name` is probably a typo of it, not a Region newer than the table.
pub fn near(name: &str) -> Option<&'static str> {
    REGIONS
        .iter()
        .map(|region| (strsim::damerau_levenshtein(name, region.name), region.name))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, region)| region)
}

/// The known Region closest to `name`, for "did you mean" hints.
pub fn suggest(name: &str) -> Option<&'static str> {
    crate::suggest::closest(name, REGIONS.iter().map(|region| region.name))
}

/// Why FSx cannot copy a backup from `source` to `destination`, or `None` when it can.
///
/// In-Region copies are possible everywhere. Cross-Region copies stay within one partition and
/// neither side may be an opt-in Region (FSx for OpenZFS user guide, "Copying backups").
pub fn copy_impossible(source: &Region, destination: &Region) -> Option<String> {
    if source.name == destination.name {
        return None;
    }
    if source.partition != destination.partition {
        return Some(format!(
            "`{}` ({}) and `{}` ({}) are in different partitions",
            source.name, source.partition, destination.name, destination.partition
        ));
    }
    for region in [source, destination] {
        if region.opt_in {
            return Some(format!(
                "`{}` is an opt-in Region: FSx cannot copy backups across Regions to or from it",
                region.name
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for pair in REGIONS.windows(2) {
            if let [a, b] = pair {
                assert!(a.name < b.name, "{} before {}", a.name, b.name);
            }
        }
    }

    #[test]
    fn opt_in_list_is_pinned() {
        let opt_in: Vec<&str> = REGIONS.iter().filter(|r| r.opt_in).map(|r| r.name).collect();
        assert_eq!(
            opt_in,
            [
                "af-south-1",
                "ap-east-1",
                "ap-east-2",
                "ap-south-2",
                "ap-southeast-3",
                "ap-southeast-4",
                "ap-southeast-5",
                "ap-southeast-6",
                "ap-southeast-7",
                "ca-west-1",
                "eu-central-2",
                "eu-south-1",
                "eu-south-2",
                "il-central-1",
                "me-central-1",
                "me-south-1",
                "mx-central-1",
            ]
        );
    }

    #[test]
    fn partition_groups_are_pinned() {
        let of = |p: Partition| -> Vec<&str> { REGIONS.iter().filter(|r| r.partition == p).map(|r| r.name).collect() };
        assert_eq!(of(AwsCn), ["cn-north-1", "cn-northwest-1"]);
        assert_eq!(of(AwsUsGov), ["us-gov-east-1", "us-gov-west-1"]);
        assert_eq!(of(Aws).len(), 34);
    }

    #[test]
    fn copies() {
        let get = |n: &str| lookup(n).copied().unwrap_or(r("missing", Aws, false));
        assert_eq!(copy_impossible(&get("us-east-1"), &get("us-west-2")), None);
        assert_eq!(copy_impossible(&get("af-south-1"), &get("af-south-1")), None);
        assert!(copy_impossible(&get("us-east-1"), &get("af-south-1")).is_some());
        assert!(copy_impossible(&get("us-east-1"), &get("cn-north-1")).is_some());
        assert_eq!(copy_impossible(&get("cn-north-1"), &get("cn-northwest-1")), None);
        assert_eq!(copy_impossible(&get("us-gov-west-1"), &get("us-gov-east-1")), None);
    }

    #[test]
    fn new_regions_are_recognised_by_shape() {
        for name in ["eu-west-4", "ap-southeast-9", "us-gov-central-1", "eusc-de-east-1", "mx-central-1"] {
            assert!(is_region_shaped(name), "{name}");
            assert_eq!(intern(name), Some(name));
        }
        for name in
            ["", "Backups", "us-east", "east-1", "us--east-1", "US-EAST-1", "us-east-1a", "a-b-c-d-e-f-g-h-i-j-1"]
        {
            assert!(!is_region_shaped(name), "{name}");
        }
        // One copy per name.
        assert!(std::ptr::eq(intern("eu-west-4").unwrap(), intern("eu-west-4").unwrap()));
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("us-west-22"), Some("us-west-2"));
        assert_eq!(suggest("eu-wset-1"), Some("eu-west-1"));
        assert_eq!(lookup("mars-north-1"), None);
        assert_eq!(near("us-wset-2"), Some("us-west-2"));
        assert_eq!(near("eu-west-4"), Some("eu-west-1"));
        assert_eq!(near("mars-north-1"), None);
    }
}
