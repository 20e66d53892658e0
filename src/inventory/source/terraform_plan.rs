//! Terraform plan JSON (`terraform show -json plan.out`), as the JSON output format documents
//! it: each entry of `resource_changes` is judged as it will be after apply (`change.after`,
//! with `change.after_unknown` marking what is not known yet), resources being destroyed are
//! left out, and `configuration` tells an attribute the code sets to a value unknown before
//! apply from one it leaves out (judged at its documented default).
//!
//! Planned resources are named by their Terraform address; their Region comes from the
//! resource's own `region` argument, else their provider's static `region` (aliases followed,
//! root variables resolved from the plan's `variables`), else `--region`; their account from a
//! known `owner_id`/ARN, else `--account`.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::planned_iam::{Attachment, Doc, Kind, Policy, Principal, Ref};
use super::{FileLoader, Options, Resource, planned};
use crate::diag::Problem;
use crate::inventory::backup_plan::{Plan, PlanRule, Selection, Target, Vault};
use crate::inventory::model::{FileSystem, FileSystemType, Origin, Planned, StorageType, Tags};
use crate::inventory::{DataKind, Inventory, Unreadable};
use crate::regions::Partition;

const INPUT: &str = "terraform plan";

/// Whether `text` could be a plan: its first kilobytes name Terraform's top-level keys.
pub(super) fn looks_like(text: &str) -> bool {
    let head = text.as_bytes().get(..text.len().min(4096)).unwrap_or_default();
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    has(b"\"terraform_version\"") || (has(b"\"format_version\"") && has(b"\"resource_changes\""))
}

/// How a plan attribute reads after apply.
enum Attr<'v> {
    Known(&'v Value),
    /// Set in the code to something not known before apply: why.
    Unknown(String),
    /// Not set in the code (or set to null).
    Omitted,
}

/// One resource change being read.
struct Change<'v> {
    index: usize,
    address: &'v str,
    /// `module.a[0]`, or `""` in the root module.
    module_address: &'v str,
    after: &'v serde_json::Map<String, Value>,
    after_unknown: Option<&'v serde_json::Map<String, Value>>,
    /// The resource's block in `configuration`, when the plan has one.
    config: Option<&'v Value>,
}

impl<'v> Change<'v> {
    fn attr(&self, name: &str) -> Attr<'v> {
        let configured = self.config.and_then(|c| c.get("expressions")).and_then(|e| e.get(name));
        if self.after_unknown.and_then(|u| u.get(name)).and_then(Value::as_bool) == Some(true) {
            return match configured {
                Some(expression) => {
                    Attr::Unknown(format!("not known before apply: `{name}` {}", describe_expression(expression)))
                }
                None => Attr::Omitted,
            };
        }
        match self.after.get(name) {
            Some(value) if !value.is_null() => Attr::Known(value),
            _ => Attr::Omitted,
        }
    }

    fn pointer(&self, name: &str) -> String {
        let mut pointer = format!("/resource_changes/{}/change/after", self.index);
        crate::span::push_token(&mut pointer, name);
        pointer
    }

    fn known_str(&self, name: &str) -> Option<&'v str> {
        match self.attr(name) {
            Attr::Known(value) => value.as_str(),
            _ => None,
        }
    }
}

/// "comes from `var.retention`", from an expression's `references`.
fn describe_expression(expression: &Value) -> String {
    let references: Vec<&str> = expression
        .get("references")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // Terraform lists `aws_x.y.attr` and then `aws_x.y`: keep the most specific.
    let specific: Vec<String> = references
        .iter()
        .filter(|r| !references.iter().any(|other| other.len() > r.len() && other.starts_with(&format!("{r}."))))
        .map(|r| format!("`{r}`"))
        .collect();
    if specific.is_empty() {
        "is computed from values Terraform does not know before apply".to_string()
    } else {
        format!("comes from {}", specific.join(", "))
    }
}

/// `module.a["x"].module.b[0]` → `module.a.module.b`: the configuration's module path.
fn module_path(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let (mut depth, mut quoted, mut escaped) = (0usize, false, false);
    for c in address.chars() {
        if quoted {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                quoted = false;
            }
            continue;
        }
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '"' if depth > 0 => quoted = true,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Configuration resource blocks by (module path, `type.name`), and provider blocks by key.
struct Configuration<'v> {
    resources: HashMap<(String, String), &'v Value>,
    providers: Option<&'v serde_json::Map<String, Value>>,
    variables: Option<&'v serde_json::Map<String, Value>>,
}

impl<'v> Configuration<'v> {
    fn new(plan: &'v Value) -> Self {
        let mut resources = HashMap::new();
        let configuration = plan.get("configuration");
        if let Some(root) = configuration.and_then(|c| c.get("root_module")) {
            Self::walk(root, String::new(), &mut resources, 0);
        }
        Configuration {
            resources,
            providers: configuration.and_then(|c| c.get("provider_config")).and_then(Value::as_object),
            variables: plan.get("variables").and_then(Value::as_object),
        }
    }

    fn walk(module: &'v Value, path: String, out: &mut HashMap<(String, String), &'v Value>, depth: usize) {
        // Terraform itself limits nesting far below this; a hostile file does not.
        if depth > 64 {
            return;
        }
        for resource in module.get("resources").and_then(Value::as_array).into_iter().flatten() {
            if let Some(address) = resource.get("address").and_then(Value::as_str) {
                out.insert((path.clone(), address.to_string()), resource);
            }
        }
        for (name, call) in module.get("module_calls").and_then(Value::as_object).into_iter().flatten() {
            if let Some(child) = call.get("module") {
                let child_path =
                    if path.is_empty() { format!("module.{name}") } else { format!("{path}.module.{name}") };
                Self::walk(child, child_path, out, depth + 1);
            }
        }
    }

    /// The Region a provider configuration sets: `Ok(None)` when it sets none.
    fn provider_region(&self, key: &str) -> Result<Option<&'static str>, String> {
        let Some(provider) = self.providers.and_then(|p| p.get(key)) else {
            return Ok(None);
        };
        let Some(expression) = provider.get("expressions").and_then(|e| e.get("region")) else {
            return Ok(None);
        };
        if let Some(text) = expression.get("constant_value").and_then(Value::as_str) {
            return region_name(text).map(Some);
        }
        // A root module's variable has its value in the plan.
        let references: Vec<&str> = expression
            .get("references")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !key.contains(':')
            && let [one] = references.as_slice()
            && let Some(name) = one.strip_prefix("var.")
            && let Some(text) =
                self.variables.and_then(|v| v.get(name)).and_then(|v| v.get("value")).and_then(Value::as_str)
        {
            return region_name(text).map(Some);
        }
        Err(format!("the Region of provider `{key}` {}", describe_expression(expression)))
    }
}

fn region_name(text: &str) -> Result<&'static str, String> {
    crate::regions::intern(text).ok_or_else(|| format!("`{text}` is not a Region name"))
}

/// Reads a plan into the loader. `Ok(false)`: not a plan after all (read it as an inventory).
pub(super) fn convert(
    text: &str,
    options: &Options,
    loader: &mut FileLoader,
    inventory: &mut Inventory,
) -> Result<bool, (String, usize)> {
    let plan: Value = serde_json::from_str(text).map_err(|e| {
        let offset = crate::span::offset_of(text, e.line(), e.column());
        (e.to_string(), offset)
    })?;
    let Some(top) = plan.as_object() else { return Ok(false) };
    if !top.contains_key("terraform_version") && !top.contains_key("resource_changes") {
        return Ok(false);
    }
    if !top.contains_key("resource_changes") && !top.contains_key("planned_values") {
        let help = if top.contains_key("values") {
            "this is `terraform show -json` of a state: give the plan (`terraform plan -out=plan.out`, then `terraform show -json plan.out`)"
        } else {
            "give the output of `terraform show -json plan.out`"
        };
        loader.problems.push(Problem::at("", "Terraform JSON without `resource_changes`: not a plan").with_help(help));
        return Ok(true);
    }
    match top.get("format_version").and_then(Value::as_str) {
        Some(version) if version.split('.').next() == Some("1") => {}
        Some(version) => {
            loader.problems.push(
                Problem::at("/format_version", format!("Terraform JSON format version {version} is not supported"))
                    .with_help("fsx-guard reads format 1.x, which Terraform 1.0 and later write"),
            );
            return Ok(true);
        }
        None => {
            loader.problems.push(Problem::at("", "a Terraform plan needs `format_version`"));
            return Ok(true);
        }
    }
    let located = super::terraform_hcl::locate_plan(&plan, options, inventory);
    read(&plan, options, loader, inventory, located.as_ref(), INPUT);
    Ok(true)
}

/// Reads a plan (from `terraform show -json`, or synthesised from HCL with `locations`).
pub(super) fn read(
    plan: &Value,
    options: &Options,
    loader: &mut FileLoader,
    inventory: &mut Inventory,
    locations: Option<&Locations>,
    input: &'static str,
) {
    let configuration = Configuration::new(plan);
    let mut reader = PlanReader {
        options,
        loader,
        configuration: &configuration,
        regions: BTreeSet::new(),
        declared: planned::Declared::default(),
        locations,
        input,
    };
    // Regions the configuration's providers set: a Region with no planned file system holds
    // none, which is a result, not a gap.
    for key in configuration.providers.into_iter().flat_map(|p| p.keys()) {
        if let Ok(Some(region)) = configuration.provider_region(key) {
            reader.regions.insert(region);
        }
    }
    if let Some(region) = options.region.as_deref().and_then(crate::regions::intern) {
        reader.regions.insert(region);
    }
    let changes = plan.get("resource_changes").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for (index, change) in changes.iter().enumerate() {
        reader.change(index, change);
    }
    std::mem::take(&mut reader.declared).finish(options, reader.loader, inventory);
    // The plan holds every file system its configuration will have in the Regions it deploys
    // to, in every account it places resources in.
    let mut accounts: BTreeSet<String> = [options.account.clone().unwrap_or_default()].into();
    let mut regions = std::mem::take(&mut reader.regions);
    for resource in &reader.loader.resources {
        if let Resource::FileSystem(fs) = resource {
            accounts.insert(fs.account.clone());
            if fs.region.is_empty() {
                // Planned without a known Region: `""` marks it (see `engine::coverage`).
                regions.insert("");
            }
        }
    }
    for (account, region) in accounts.iter().flat_map(|a| regions.iter().map(move |r| (a, *r))) {
        let partition = crate::regions::lookup(region).map_or(Partition::Aws, |r| r.partition);
        let account = inventory.account_mut(account, partition);
        account.file_systems_collected.insert(region);
        // The plan holds every ONTAP volume it deploys there too.
        account.volumes_collected.insert(region);
        if !region.is_empty() {
            account.regions_seen.insert(region);
        }
    }
}

struct PlanReader<'a, 'v> {
    options: &'a Options,
    loader: &'a mut FileLoader,
    configuration: &'a Configuration<'v>,
    /// Regions planned resources are in.
    regions: BTreeSet<&'static str>,
    declared: planned::Declared,
    /// For a plan synthesised from HCL: where each change and its attributes are written.
    locations: Option<&'a Locations>,
    /// `terraform plan` or `terraform` (a configuration directory).
    input: &'static str,
}

/// Where a synthesised change (by index) is written: the resource block, each attribute's value
/// (or the literal that set it), and the attribute itself when that literal is elsewhere.
pub(super) type Locations = HashMap<usize, (Origin, HashMap<String, Origin>, HashMap<String, Origin>)>;

impl<'v> PlanReader<'_, 'v> {
    fn change(&mut self, index: usize, change: &'v Value) {
        if change.get("mode").and_then(Value::as_str) != Some("managed") {
            return;
        }
        let Some(resource_type) = change.get("type").and_then(Value::as_str) else { return };
        let file_system_type = match resource_type {
            "aws_fsx_openzfs_file_system" => Some(FileSystemType::Openzfs),
            "aws_fsx_windows_file_system" => Some(FileSystemType::Windows),
            "aws_fsx_lustre_file_system" => Some(FileSystemType::Lustre),
            "aws_fsx_ontap_file_system" => Some(FileSystemType::Ontap),
            "aws_backup_plan" | "aws_backup_selection" | "aws_backup_vault" => None,
            "aws_fsx_ontap_volume" | "aws_fsx_ontap_storage_virtual_machine" => None,
            t if t.starts_with("aws_iam_") => None,
            _ => return,
        };
        let pointer = format!("/resource_changes/{index}");
        let address = change.get("address").and_then(Value::as_str).unwrap_or("");
        let actions: Vec<&str> = change
            .get("change")
            .and_then(|c| c.get("actions"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        // Destroyed (or forgotten) resources will not exist: nothing to judge.
        if actions.iter().all(|a| matches!(*a, "delete" | "forget")) && !actions.is_empty() {
            return;
        }
        let after = change.get("change").and_then(|c| c.get("after")).and_then(Value::as_object);
        let (Some(after), false) = (after, address.is_empty()) else {
            self.unreadable(&pointer, address, "a planned file system without `address` or `change.after`");
            return;
        };
        let module_address = change.get("module_address").and_then(Value::as_str).unwrap_or("");
        let name = change.get("name").and_then(Value::as_str).unwrap_or("");
        let config = self
            .configuration
            .resources
            .get(&(module_path(module_address), format!("{resource_type}.{name}")))
            .copied();
        let change_view = Change {
            index,
            address,
            module_address,
            after,
            after_unknown: change.get("change").and_then(|c| c.get("after_unknown")).and_then(Value::as_object),
            config,
        };
        match (file_system_type, resource_type) {
            (Some(file_system_type), _) => {
                let fs = self.file_system(&change_view, file_system_type, &pointer);
                self.loader.resources.push(Resource::FileSystem(fs));
            }
            (None, "aws_backup_plan") => self.backup_plan(&change_view, &pointer),
            (None, "aws_backup_selection") => self.backup_selection(&change_view, &pointer),
            (None, "aws_backup_vault") => self.backup_vault(&change_view, &pointer),
            (None, "aws_fsx_ontap_storage_virtual_machine") => {
                let file_system = match self.reference(&change_view, "file_system_id") {
                    Ref::Literal(id) => Ok(id),
                    Ref::Address(address) => Ok(address),
                    Ref::Unknown(why) => Err(why),
                };
                self.declared.svms.push(planned::PlannedSvm { address: change_view.address.to_string(), file_system });
            }
            (None, "aws_fsx_ontap_volume") => {
                let (account, region, _, _) = self.placement(&change_view);
                let svm = match self.reference(&change_view, "storage_virtual_machine_id") {
                    Ref::Literal(id) => Ok(id),
                    Ref::Address(address) => Ok(address),
                    Ref::Unknown(why) => Err(why),
                };
                let origin = self.at(&change_view, pointer.clone());
                self.declared.volumes.push(planned::PlannedVolume {
                    address: change_view.address.to_string(),
                    svm,
                    name: change_view.known_str("name").map(str::to_string),
                    copy_tags_to_backups: match change_view.attr("copy_tags_to_backups") {
                        Attr::Known(v) => v.as_bool(),
                        Attr::Unknown(_) => None,
                        Attr::Omitted => Some(false),
                    },
                    ontap_volume_type: change_view.known_str("ontap_volume_type").map(str::to_string),
                    tags: match (change_view.attr("tags_all"), change_view.attr("tags")) {
                        (Attr::Known(v), _) | (_, Attr::Known(v)) => tags_of(v),
                        _ => Tags::new(),
                    },
                    account,
                    region,
                    origin,
                });
            }
            (None, iam) => self.iam(iam, &change_view),
        }
    }

    /// A name, ARN or policy given directly or by reference to another resource.
    fn reference(&self, change: &Change<'v>, name: &str) -> Ref {
        match change.attr(name) {
            Attr::Known(value) => match value.as_str() {
                Some(text) => Ref::Literal(text.to_string()),
                None => Ref::Unknown(format!("`{name}` is {value}, not a string")),
            },
            Attr::Unknown(_) => match reference_target(
                change.config.and_then(|c| c.get("expressions")).and_then(|e| e.get(name)),
                change.module_address,
                name,
            ) {
                Target::Address(address) => Ref::Address(address),
                Target::Arn(arn) => Ref::Literal(arn),
                Target::Unknown(why) => Ref::Unknown(why),
            },
            Attr::Omitted => Ref::Unknown(format!("`{name}` is not set")),
        }
    }

    /// A list of names or ARNs, each given directly or by reference.
    fn references(&self, change: &Change<'v>, name: &str) -> Vec<Ref> {
        let expression = change.config.and_then(|c| c.get("expressions")).and_then(|e| e.get(name));
        let mut out: Vec<Ref> = change
            .after
            .get(name)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(|s| Ref::Literal(s.to_string())).collect())
            .unwrap_or_default();
        let unknown = change.after_unknown.and_then(|u| u.get(name));
        let partly_unknown = unknown.is_some_and(|u| {
            u.as_bool() == Some(true) || u.as_array().is_some_and(|a| a.iter().any(|x| x.as_bool() == Some(true)))
        });
        if partly_unknown && expression.is_some() {
            let addresses = resource_references(expression, change.module_address);
            if addresses.is_empty() {
                out.push(Ref::Unknown(format!(
                    "not known before apply: `{name}` {}",
                    expression.map_or_else(|| "is computed".to_string(), describe_expression)
                )));
            }
            out.extend(addresses.into_iter().map(Ref::Address));
        }
        out
    }

    fn document(&self, change: &Change<'v>, name: &str) -> Doc {
        match change.attr(name) {
            Attr::Known(value) => match value.as_str().map(serde_json::from_str::<Value>) {
                Some(Ok(document)) => Doc::Known(document),
                Some(Err(e)) => Doc::Unknown(format!("`{name}` is not JSON: {e}")),
                None => Doc::Known(value.clone()),
            },
            Attr::Unknown(why) => Doc::Unknown(why),
            Attr::Omitted => Doc::Unknown(format!("`{name}` is not set")),
        }
    }

    /// IAM users, groups, roles, policies and their attachments.
    fn iam(&mut self, resource_type: &str, change: &Change<'v>) {
        let address = change.address.to_string();
        let name = change.known_str("name").map(str::to_string);
        let principal = |kind| {
            let mut p = Principal::new(kind, address.clone(), name.clone());
            if let Some(path) = change.known_str("path") {
                p.path = path.to_string();
            }
            p
        };
        match resource_type {
            "aws_iam_role" | "aws_iam_user" => {
                let kind = if resource_type == "aws_iam_role" { Kind::Role } else { Kind::User };
                let mut p = principal(kind);
                for (i, block) in
                    change.after.get("inline_policy").and_then(Value::as_array).into_iter().flatten().enumerate()
                {
                    let policy_name = block.get("name").and_then(Value::as_str).unwrap_or("inline").to_string();
                    let doc = match block.get("policy").and_then(Value::as_str).map(serde_json::from_str::<Value>) {
                        Some(Ok(document)) => Doc::Known(document),
                        _ => Doc::Unknown(format!("inline policy {i} of `{address}` is not known before apply")),
                    };
                    p.inline.push((policy_name, doc));
                }
                p.managed = self.references(change, "managed_policy_arns");
                if !matches!(change.attr("permissions_boundary"), Attr::Omitted) {
                    p.boundary = Some(self.reference(change, "permissions_boundary"));
                }
                if let Attr::Known(tags) = change.attr("tags_all") {
                    p.tags = tags_of(tags);
                } else if let Attr::Known(tags) = change.attr("tags") {
                    p.tags = tags_of(tags);
                }
                self.declared.iam.principals.push(p);
            }
            "aws_iam_group" => self.declared.iam.principals.push(principal(Kind::Group)),
            "aws_iam_policy" => self.declared.iam.policies.push(Policy {
                address,
                name,
                path: change.known_str("path").unwrap_or("/").to_string(),
                doc: self.document(change, "policy"),
            }),
            "aws_iam_role_policy" | "aws_iam_user_policy" | "aws_iam_group_policy" => {
                let (kind, field) = principal_field(resource_type);
                self.declared.iam.attachments.push(Attachment::Inline {
                    kind,
                    principal: self.principal_ref(change, field),
                    name: name.unwrap_or_else(|| address.clone()),
                    doc: self.document(change, "policy"),
                });
            }
            "aws_iam_role_policy_attachment" | "aws_iam_user_policy_attachment" | "aws_iam_group_policy_attachment" => {
                let (kind, field) = principal_field(resource_type);
                self.declared.iam.attachments.push(Attachment::Managed {
                    kind,
                    principal: self.principal_ref(change, field),
                    policy: self.policy_ref(change),
                });
            }
            "aws_iam_policy_attachment" => {
                let policy = self.policy_ref(change);
                for (kind, field) in [(Kind::Role, "roles"), (Kind::User, "users"), (Kind::Group, "groups")] {
                    for principal in self.references(change, field) {
                        self.declared.iam.attachments.push(Attachment::Managed {
                            kind,
                            principal,
                            policy: policy.clone(),
                        });
                    }
                }
            }
            "aws_iam_user_group_membership" => {
                let user = self.principal_ref(change, "user");
                for group in self.references(change, "groups") {
                    self.declared.iam.attachments.push(Attachment::Member { user: user.clone(), group });
                }
            }
            "aws_iam_group_membership" => {
                let group = self.principal_ref(change, "group");
                for user in self.references(change, "users") {
                    self.declared.iam.attachments.push(Attachment::Member { user, group: group.clone() });
                }
            }
            _ => {}
        }
    }

    /// A principal named by an attachment: its name, or a reference to it (`aws_iam_role.x.name`).
    fn principal_ref(&self, change: &Change<'v>, field: &str) -> Ref {
        self.reference(change, field)
    }

    /// A managed policy named by an attachment: its ARN, or a reference to `aws_iam_policy.x`.
    fn policy_ref(&self, change: &Change<'v>) -> Ref {
        self.reference(change, "policy_arn")
    }

    /// (account, Region, why the Region is unknown, why the account is unknown) of a change.
    fn placement(&mut self, change: &Change<'v>) -> (String, &'static str, Option<String>, Option<String>) {
        let region = match change.attr("region") {
            Attr::Known(value) => value.as_str().map_or_else(|| Err("`region` is not a string".into()), region_name),
            Attr::Unknown(why) => Err(why),
            Attr::Omitted => {
                let key = change.config.and_then(|c| c.get("provider_config_key")).and_then(Value::as_str);
                match key.map(|k| self.configuration.provider_region(k)) {
                    Some(Ok(Some(region))) => Ok(region),
                    Some(Err(why)) => Err(why),
                    Some(Ok(None)) | None => match self.options.region.as_deref() {
                        Some(text) => region_name(text),
                        None => Err(format!(
                            "provider `{}` sets no `region` (Terraform takes it from the environment, which the plan does not record): add `--region`",
                            key.unwrap_or("aws")
                        )),
                    },
                }
            }
        };
        let (region, region_unknown) = match region {
            Ok(region) => {
                self.regions.insert(region);
                (region, None)
            }
            Err(why) => ("", Some(why)),
        };
        let from_arn = change.known_str("arn").and_then(|arn| arn.split(':').nth(4)).filter(|a| a.len() == 12);
        match change.known_str("owner_id").or(from_arn) {
            Some(account) => (account.to_string(), region, region_unknown, None),
            None => match &self.options.account {
                Some(account) => (account.clone(), region, region_unknown, None),
                None => (
                    String::new(),
                    region,
                    region_unknown,
                    Some("the plan does not name the account: add `--account ID`".to_string()),
                ),
            },
        }
    }

    /// Where something of `change` is: the JSON pointer in a plan file, or the resource block
    /// in HCL.
    fn at(&self, change: &Change<'v>, pointer: String) -> Origin {
        match self.locations.and_then(|l| l.get(&change.index)) {
            Some((resource, _, _)) => resource.clone(),
            // Synthesised from HCL: every change has its block; a plan file: its JSON.
            None if self.input != INPUT => Origin { source: self.loader.source, pointer: String::new() },
            None => Origin { source: self.loader.source, pointer },
        }
    }

    /// Where the resource uses an attribute whose value is set elsewhere (HCL only).
    fn attr_related(&self, change: &Change<'v>, name: &str) -> Option<Origin> {
        self.locations.and_then(|l| l.get(&change.index)).and_then(|(_, _, related)| related.get(name)).cloned()
    }

    /// Where an attribute's value is set: its line in the configuration when the change's
    /// block was found there (nothing for an attribute the block leaves out), else in the plan.
    fn attr_at(&self, change: &Change<'v>, name: &str) -> Option<Origin> {
        match self.locations.and_then(|l| l.get(&change.index)) {
            Some((_, attrs, _)) => attrs.get(name).cloned(),
            None if self.input != INPUT => None,
            None => Some(Origin { source: self.loader.source, pointer: change.pointer(name) }),
        }
    }

    fn backup_plan(&mut self, change: &Change<'v>, pointer: &str) {
        let (account, region, region_unknown, _) = self.placement(change);
        let mut rules = Vec::new();
        let after_rules = change.after.get("rule").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let unknown_rules = change.after_unknown.and_then(|u| u.get("rule"));
        let config_rules = change
            .config
            .and_then(|c| c.get("expressions"))
            .and_then(|e| e.get("rule"))
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (k, rule) in after_rules.iter().enumerate() {
            let rule_pointer = format!("{}/rule/{k}", change.pointer("").trim_end_matches('/'));
            let unknown = unknown_rules.and_then(|u| u.get(k));
            let name = rule.get("rule_name").and_then(Value::as_str).unwrap_or("").to_string();
            // Terraform keeps rules in a set: find the configured block by its name.
            let config = config_rules
                .iter()
                .find(|c| {
                    c.get("rule_name").and_then(|n| n.get("constant_value")).and_then(Value::as_str) == Some(&name)
                })
                .or_else(|| config_rules.get(k));
            let is_unknown = |field: &str| unknown.and_then(|u| u.get(field)).and_then(Value::as_bool) == Some(true);
            let why = |field: &str| match config.and_then(|c| c.get(field)) {
                Some(e) => format!("not known before apply: `{field}` of rule `{name}` {}", describe_expression(e)),
                None => format!("not known before apply: `{field}` of rule `{name}`"),
            };
            let schedule = if is_unknown("schedule") {
                Err(why("schedule"))
            } else {
                match rule.get("schedule").and_then(Value::as_str).filter(|s| !s.is_empty()) {
                    Some(text) => Ok(text.to_string()),
                    None => Err(format!("rule `{name}` has no `schedule`: it runs only when started by hand")),
                }
            };
            let window = |field: &str, default: i64| {
                if is_unknown(field) {
                    Err(why(field))
                } else {
                    Ok(rule.get(field).and_then(Value::as_i64).unwrap_or(default))
                }
            };
            // AWS Backup's defaults: start within 8 hours, complete within 7 days.
            let start_window_minutes = window("start_window", 480);
            let completion_window_minutes = window("completion_window", 10_080);
            let mut copies = Vec::new();
            let actions = rule.get("copy_action").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            for (j, action) in actions.iter().enumerate() {
                let copy_pointer = format!("{rule_pointer}/copy_action/{j}");
                let unknown_arn = unknown
                    .and_then(|u| u.get("copy_action"))
                    .and_then(|c| c.get(j))
                    .and_then(|c| c.get("destination_vault_arn"))
                    .and_then(Value::as_bool)
                    == Some(true);
                let target = if unknown_arn {
                    let expression = config
                        .and_then(|c| c.get("copy_action"))
                        .and_then(|c| c.get(j))
                        .and_then(|c| c.get("destination_vault_arn"));
                    reference_target(expression, change.module_address, "destination_vault_arn")
                } else {
                    match action.get("destination_vault_arn").and_then(Value::as_str) {
                        Some(arn) => Target::Arn(arn.to_string()),
                        None => Target::Unknown(format!("a copy action of rule `{name}` has no destination")),
                    }
                };
                copies.push((target, self.at(change, copy_pointer)));
            }
            let time_zone = if is_unknown("schedule_expression_timezone") {
                Some("a time zone not known before apply".to_string())
            } else {
                crate::inventory::backup_plan::time_zone(
                    rule.get("schedule_expression_timezone").and_then(Value::as_str),
                )
            };
            rules.push(PlanRule {
                name,
                schedule,
                start_window_minutes,
                completion_window_minutes,
                time_zone,
                copies,
                origin: self.at(change, rule_pointer),
            });
        }
        self.declared.backup.plans.push(Plan {
            address: change.address.to_string(),
            account,
            region,
            region_unknown,
            rules,
            origin: self.at(change, pointer.to_string()),
        });
    }

    fn backup_selection(&mut self, change: &Change<'v>, pointer: &str) {
        let (account, region, _, _) = self.placement(change);
        let plan = match change.attr("plan_id") {
            Attr::Known(value) => Target::Arn(value.as_str().unwrap_or_default().to_string()),
            Attr::Unknown(_) => reference_target(
                change.config.and_then(|c| c.get("expressions")).and_then(|e| e.get("plan_id")),
                change.module_address,
                "plan_id",
            ),
            Attr::Omitted => Target::Unknown("the selection names no plan".into()),
        };
        let list = |name: &str| -> Result<Vec<Target>, String> {
            let expression = change.config.and_then(|c| c.get("expressions")).and_then(|e| e.get(name));
            let unknown = change.after_unknown.and_then(|u| u.get(name));
            let partly_unknown = unknown.is_some_and(|u| {
                u.as_bool() == Some(true) || u.as_array().is_some_and(|a| a.iter().any(|x| x.as_bool() == Some(true)))
            });
            let mut targets: Vec<Target> = change
                .after
                .get(name)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(|s| Target::Arn(s.to_string())).collect())
                .unwrap_or_default();
            // Not in the configuration: left out (Terraform marks the computed value unknown).
            if partly_unknown && expression.is_some() {
                let references = resource_references(expression, change.module_address);
                if references.is_empty() {
                    return Err(format!(
                        "not known before apply: `{name}` {}",
                        expression.map_or_else(|| "is computed".to_string(), describe_expression)
                    ));
                }
                targets.extend(references.into_iter().map(Target::Address));
            }
            Ok(targets)
        };
        let resources = list("resources");
        let not_resources = list("not_resources");
        let tags = match change.attr("selection_tag") {
            Attr::Known(value) => value
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|t| {
                    let field = |f: &str| t.get(f).and_then(Value::as_str);
                    match (field("type"), field("key"), field("value")) {
                        (Some("STRINGEQUALS"), Some(k), Some(v)) => Ok((k.to_string(), v.to_string())),
                        (Some(other), _, _) => Err(format!("selection tag type `{other}` is not evaluated")),
                        _ => Err("a selection tag is not known before apply".to_string()),
                    }
                })
                .collect(),
            Attr::Unknown(why) => Err(why),
            Attr::Omitted => Ok(Vec::new()),
        };
        let conditions = match change.attr("condition") {
            Attr::Known(value) => conditions_of(value),
            Attr::Unknown(why) => Err(why),
            Attr::Omitted => Ok(Vec::new()),
        };
        self.declared.backup.selections.push(Selection {
            address: change.address.to_string(),
            account,
            region,
            plan,
            resources,
            not_resources,
            tags,
            conditions,
            origin: self.at(change, pointer.to_string()),
        });
    }

    fn backup_vault(&mut self, change: &Change<'v>, pointer: &str) {
        let (account, region, _, _) = self.placement(change);
        let kms_key = match change.attr("kms_key_arn") {
            Attr::Known(value) => Ok(value.as_str().map(|k| Target::Arn(k.to_string()))),
            Attr::Unknown(_) => Ok(Some(reference_target(
                change.config.and_then(|c| c.get("expressions")).and_then(|e| e.get("kms_key_arn")),
                change.module_address,
                "kms_key_arn",
            ))),
            Attr::Omitted => Ok(None),
        };
        self.declared.backup.vaults.push(Vault {
            address: change.address.to_string(),
            name: change.known_str("name").map(str::to_string),
            arn: change.known_str("arn").map(str::to_string),
            account,
            region,
            kms_key,
            origin: self.at(change, pointer.to_string()),
        });
    }

    fn unreadable(&mut self, pointer: &str, address: &str, reason: &str) {
        self.loader.issues.push(Problem::at(pointer, format!("{reason}: left out")));
        self.loader.unreadable.push((
            Some(self.options.account.clone().unwrap_or_default()),
            Unreadable {
                kind: DataKind::FileSystems,
                region: None,
                file_system: None,
                resource: (!address.is_empty()).then(|| address.to_string()),
                reason: reason.to_string(),
                origin: Origin { source: self.loader.source, pointer: pointer.to_string() },
            },
        ));
    }

    fn file_system(&mut self, change: &Change<'v>, file_system_type: FileSystemType, pointer: &str) -> FileSystem {
        let mut planned = Planned {
            arn: change.known_str("arn").map(str::to_string),
            ..Planned::new(change.address.to_string(), self.input)
        };

        let (account, region, region_unknown, account_unknown) = self.placement(change);
        planned.region_unknown = region_unknown;
        planned.account_unknown = account_unknown;

        let attr = |name: &str| match change.attr(name) {
            Attr::Known(value) => {
                planned::Attr::Known(value.clone(), self.attr_at(change, name), self.attr_related(change, name))
            }
            Attr::Unknown(why) => planned::Attr::Unknown(why),
            Attr::Omitted => planned::Attr::Omitted,
        };
        let settings = planned::backup_settings(&file_system_type, &planned::TERRAFORM, attr, &mut planned);

        let tags = match (change.attr("tags_all"), change.attr("tags")) {
            (Attr::Known(value), _) | (_, Attr::Known(value)) => tags_of(value),
            (Attr::Unknown(why), _) | (_, Attr::Unknown(why)) => {
                planned.unknown.push(("Tags", why));
                Tags::new()
            }
            (Attr::Omitted, Attr::Omitted) => Tags::new(),
        };
        let storage_type = change.known_str("storage_type").map(StorageType::parse);

        let origin = self.at(change, pointer.to_string());
        planned::file_system(planned, (account, region), file_system_type, storage_type, tags, settings, origin)
    }
}

/// Managed resources an expression refers to, as addresses in the module instance it is in:
/// `aws_backup_vault.dr.arn` in `module.x[0]` is `module.x[0].aws_backup_vault.dr`.
fn resource_references(expression: Option<&Value>, module_address: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let references = expression.and_then(|e| e.get("references")).and_then(Value::as_array);
    for reference in references.into_iter().flatten().filter_map(Value::as_str) {
        let mut words = reference.splitn(3, '.');
        let (Some(kind), Some(name)) = (words.next(), words.next()) else { continue };
        if !kind.starts_with("aws_") {
            continue;
        }
        let local = format!("{kind}.{name}");
        let address = if module_address.is_empty() { local } else { format!("{module_address}.{local}") };
        if !out.contains(&address) {
            out.push(address);
        }
    }
    out
}

/// The attribute naming the principal of an inline policy or attachment resource.
fn principal_field(resource_type: &str) -> (Kind, &'static str) {
    if resource_type.starts_with("aws_iam_role") {
        (Kind::Role, "role")
    } else if resource_type.starts_with("aws_iam_user") {
        (Kind::User, "user")
    } else {
        (Kind::Group, "group")
    }
}

/// The one resource an attribute refers to, or why it cannot be told.
fn reference_target(expression: Option<&Value>, module_address: &str, name: &str) -> Target {
    match resource_references(expression, module_address).as_slice() {
        [one] => Target::Address(one.clone()),
        _ => Target::Unknown(format!(
            "not known before apply: `{name}` {}",
            expression.map_or_else(|| "is computed".to_string(), describe_expression)
        )),
    }
}

/// `condition` blocks: `string_equals` on `aws:ResourceTag/KEY` is evaluated; any other
/// condition cannot be, and makes the selection undecidable.
fn conditions_of(value: &Value) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for block in value.as_array().map(Vec::as_slice).unwrap_or_default() {
        for (operator, entries) in block.as_object().into_iter().flatten() {
            let entries = entries.as_array().map(Vec::as_slice).unwrap_or_default();
            if entries.is_empty() {
                continue;
            }
            if operator != "string_equals" {
                return Err(format!("selection condition `{operator}` is not evaluated"));
            }
            for entry in entries {
                let key = entry.get("key").and_then(Value::as_str).unwrap_or("");
                let value = entry.get("value").and_then(Value::as_str).unwrap_or("");
                match key.strip_prefix("aws:ResourceTag/") {
                    Some(tag) => out.push((tag.to_string(), value.to_string())),
                    None => return Err(format!("selection condition on `{key}` is not evaluated")),
                }
            }
        }
    }
    Ok(out)
}

fn tags_of(value: &Value) -> Tags {
    value
        .as_object()
        .map(|map| map.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_drop_instance_keys() {
        assert_eq!(module_path("module.a[0]"), "module.a");
        assert_eq!(module_path("module.a[\"x.y]\"].module.b[1]"), "module.a.module.b");
        assert_eq!(module_path("module.a[\"q\\\"]\"]"), "module.a");
    }

    #[test]
    fn expressions_name_their_most_specific_references() {
        let e = serde_json::json!({"references": ["aws_x.y.arn", "aws_x.y", "var.z"]});
        assert_eq!(describe_expression(&e), "comes from `aws_x.y.arn`, `var.z`");
        assert_eq!(
            describe_expression(&serde_json::json!({})),
            "is computed from values Terraform does not know before apply"
        );
    }

    #[test]
    fn plans_are_recognised_by_their_keys() {
        assert!(looks_like(r#"{"format_version":"1.2","terraform_version":"1.9.5"}"#));
        assert!(!looks_like(r#"{"version":1,"accounts":[]}"#));
    }
}
