//! The build driver: turns a [`BuildPlan`] into packages on disk and a
//! [`BuildReport`]. It is a short sequence of stage calls — load and
//! validate (`pecyn-script`), render (`pecyn-render`), package
//! (`pecyn-scorm`) — run on every core, writing each zip atomically.
//!
//! Invariant: no argv, terminal colours, HTTP or databases here; the CLI
//! turns the report into output and exit codes.

use pecyn_core::{Diagnostic, Locale, PackageKey, ScormVersion, Variant};
use pecyn_render::Renderer;
use pecyn_scorm::{write_package, ContentFile, PackageSpec};
use pecyn_script::{load_module, Module, Placeholders};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// What to build (resolved from the command line).
#[derive(Debug, Clone)]
pub struct BuildPlan {
    /// Folder holding one sub-folder per module.
    pub modules_dir: PathBuf,
    /// A folder whose files override the templates built into the binary
    /// (`index.html`, `strings/`, `assets/`…) file by file; `None`: the
    /// built-in templates alone.
    pub templates_dir: Option<PathBuf>,
    /// Where zips and `catalogue.json` go.
    pub out_dir: PathBuf,
    /// Only these module ids (empty = all).
    pub only: Vec<String>,
    /// Languages to build.
    pub locales: Vec<Locale>,
    /// Variants to build.
    pub variants: Vec<Variant>,
    /// SCORM versions to build.
    pub scorm: Vec<ScormVersion>,
    /// Worker threads (0 = one per core).
    pub jobs: usize,
    /// The tracker packages report completions to (none: packages make no
    /// request beyond the LMS API).
    pub reporting: Option<pecyn_render::Reporting>,
}

impl BuildPlan {
    /// Everything under the given folders, on every core.
    pub fn new(
        modules_dir: impl Into<PathBuf>,
        templates_dir: Option<PathBuf>,
        out_dir: impl Into<PathBuf>,
    ) -> Self {
        BuildPlan {
            modules_dir: modules_dir.into(),
            templates_dir,
            out_dir: out_dir.into(),
            only: Vec::new(),
            locales: Locale::ALL.to_vec(),
            variants: Variant::ALL.to_vec(),
            scorm: ScormVersion::ALL.to_vec(),
            jobs: 0,
            reporting: None,
        }
    }
}

/// One package in the catalogue.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PackageRecord {
    /// The stable package identifier (manifest identifier, tracker package id).
    pub id: String,
    /// Module id.
    pub module: String,
    /// Module version.
    pub version: String,
    /// Title in the package's language.
    pub title: String,
    /// `en` or `cy`.
    pub lang: Locale,
    /// `standard` or `accessible`.
    pub variant: Variant,
    /// `1.2` or `2004`.
    pub scorm: ScormVersion,
    /// File name in the output folder.
    pub file: String,
    /// SHA-256 of the zip, hex.
    pub sha256: String,
    /// Size of the zip.
    pub bytes: u64,
}

/// The `catalogue.json` written beside the zips.
#[derive(Debug, Clone, Serialize)]
pub struct Catalogue {
    /// What wrote it.
    pub generator: String,
    /// Every package built, sorted by file name.
    pub packages: Vec<PackageRecord>,
}

/// A package or module that did not build.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// The module.
    pub module: String,
    /// The package file, if the failure is about one package.
    pub file: Option<String>,
    /// What went wrong.
    pub message: String,
}

/// Progress events, for a progress bar.
#[derive(Debug, Clone)]
pub enum Progress {
    /// The number of packages to build is known.
    Planned(usize),
    /// One package is done (built or failed).
    Done(String),
}

/// What a build did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BuildReport {
    /// Packages written.
    pub packages: Vec<PackageRecord>,
    /// Author diagnostics (errors and warnings), every module.
    pub diagnostics: Vec<Diagnostic>,
    /// Modules and packages that failed.
    pub failures: Vec<Failure>,
    /// Modules found.
    pub modules: usize,
}

impl BuildReport {
    /// True if everything asked for was built.
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Problems that stop the whole build before any package.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Reading modules failed.
    #[error(transparent)]
    Script(#[from] pecyn_script::ScriptError),
    /// Templates could not be loaded.
    #[error(transparent)]
    Render(#[from] pecyn_render::RenderError),
    /// `--only` names a module that does not exist.
    #[error("no module `{0}` in {1}")]
    UnknownModule(String, PathBuf),
    /// The output folder cannot be created.
    #[error("cannot create the output folder {0}: {1}")]
    OutDir(PathBuf, std::io::Error),
    /// The catalogue could not be written.
    #[error("cannot write {0}: {1}")]
    Catalogue(PathBuf, std::io::Error),
}

/// Runs a build. Module errors and package failures are in the report (other
/// modules still build); an `Err` means nothing could be built.
pub fn build(
    plan: &BuildPlan,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<BuildReport, BuildError> {
    let renderer = match &plan.templates_dir {
        Some(dir) => Renderer::load(dir)?,
        None => Renderer::embedded()?,
    }
    .with_reporting(plan.reporting.clone())?;
    let mut dirs = pecyn_script::discover(&plan.modules_dir)?;
    if !plan.only.is_empty() {
        for id in &plan.only {
            if !dirs
                .iter()
                .any(|d| d.file_name().is_some_and(|f| f == id.as_str()))
            {
                return Err(BuildError::UnknownModule(
                    id.clone(),
                    plan.modules_dir.clone(),
                ));
            }
        }
        dirs.retain(|d| {
            d.file_name()
                .is_some_and(|f| plan.only.iter().any(|o| f == o.as_str()))
        });
    }
    std::fs::create_dir_all(&plan.out_dir)
        .map_err(|e| BuildError::OutDir(plan.out_dir.clone(), e))?;
    remove_stale_parts(&plan.out_dir);

    let mut report = BuildReport {
        modules: dirs.len(),
        ..Default::default()
    };
    let placeholders = Placeholders::default();
    let mut combos = Vec::new();
    for &locale in &plan.locales {
        for &variant in &plan.variants {
            for &scorm in &plan.scorm {
                combos.push((locale, variant, scorm));
            }
        }
    }
    progress(Progress::Planned(dirs.len() * combos.len()));
    // One module at a time, its packages on every core: memory holds one module's
    // model and one package per worker, however many modules there are.
    for dir in &dirs {
        let (module, diags) = load_module(dir, &placeholders);
        let errors = diags.iter().filter(|d| d.is_error()).count();
        report.diagnostics.extend(diags);
        let Some(m) = module else {
            let id = dir
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            for _ in &combos {
                progress(Progress::Done(format!("{id} (skipped)")));
            }
            report.failures.push(Failure {
                module: id,
                file: None,
                message: format!("{errors} error(s) in the module's files; no package built"),
            });
            continue;
        };
        let keys: Vec<PackageKey> = combos
            .iter()
            .map(|&(locale, variant, scorm)| PackageKey {
                module: m.id().to_string(),
                locale,
                variant,
                scorm,
            })
            .collect();
        let results = parallel_map(&keys, plan.jobs, |key| {
            let r = build_package(&m, key, &renderer, &plan.out_dir);
            progress(Progress::Done(key.file_name()));
            (key.file_name(), r)
        });
        for (file, r) in results {
            match r {
                Ok(rec) => report.packages.push(rec),
                Err(message) => report.failures.push(Failure {
                    module: m.id().to_string(),
                    file: Some(file),
                    message,
                }),
            }
        }
    }
    report.packages.sort_by(|a, b| a.file.cmp(&b.file));
    write_catalogue(&plan.out_dir, &report.packages)?;
    Ok(report)
}

/// Builds one package and writes it atomically; returns its catalogue record.
pub fn build_package(
    module: &Module,
    key: &PackageKey,
    renderer: &Renderer,
    out_dir: &Path,
) -> Result<PackageRecord, String> {
    let files = renderer
        .render(module, key.locale, key.variant, key.scorm)
        .map_err(|e| e.to_string())?;
    let content: Vec<ContentFile> = files
        .into_iter()
        .map(|f| ContentFile {
            path: f.path,
            bytes: f.bytes,
        })
        .collect();
    let title = module.meta.title[&key.locale].clone();
    let (manifest_title, description) = manifest_text(module, key, renderer);
    let spec = PackageSpec {
        identifier: key.identifier(),
        scorm: key.scorm,
        content_version: module.meta.version.clone(),
        title: manifest_title,
        description,
        language: key.locale.tag().to_string(),
        mastery_percent: module.meta.pass_mark,
        launch: pecyn_render::LAUNCH_FILE.to_string(),
    };
    let file = key.file_name();
    let dest = out_dir.join(&file);
    let tmp = tempfile::Builder::new()
        .prefix(".pecyn-")
        .suffix(".zip.part")
        .tempfile_in(out_dir)
        .map_err(|e| {
            format!(
                "cannot create a temporary file in {}: {e}",
                out_dir.display()
            )
        })?;
    let (tmp_file, tmp_path) = tmp.into_parts();
    let writer =
        write_package(&spec, &content, BufWriter::new(tmp_file)).map_err(|e| e.to_string())?;
    let f = writer.into_inner().map_err(|e| e.to_string())?;
    f.sync_all().map_err(|e| e.to_string())?;
    set_readable(&f);
    drop(f);
    let (sha256, bytes) = hash_file(&tmp_path).map_err(|e| e.to_string())?;
    tmp_path.persist(&dest).map_err(|e| {
        format!(
            "cannot move the package into place at {}: {e}",
            dest.display()
        )
    })?;
    Ok(PackageRecord {
        id: key.identifier(),
        module: module.id().to_string(),
        version: module.meta.version.clone(),
        title,
        lang: key.locale,
        variant: key.variant,
        scorm: key.scorm,
        file,
        sha256,
        bytes,
    })
}

/// The manifest's title and description: variants of one module must be told
/// apart in an LMS after import, so the accessible one says so in its title,
/// and each description says who the variant is for (interface strings
/// `package_title_accessible`, `package_description_<variant>`).
fn manifest_text(module: &Module, key: &PackageKey, renderer: &Renderer) -> (String, String) {
    let title = &module.meta.title[&key.locale];
    let summary = &module.meta.summary[&key.locale];
    let strings = renderer.strings(key.locale);
    let manifest_title = match key.variant {
        Variant::Standard => title.clone(),
        Variant::Accessible => strings
            .get("package_title_accessible")
            .map(|t| t.replace("{title}", title))
            .unwrap_or_else(|| title.clone()),
    };
    let description = strings
        .get(&format!("package_description_{}", key.variant.code()))
        .map(|d| d.replace("{summary}", summary))
        .unwrap_or_else(|| summary.clone());
    (manifest_title, description)
}

/// Packages are published files: readable by everyone, like any other build output.
#[cfg(unix)]
fn set_readable(f: &std::fs::File) {
    use std::os::unix::fs::PermissionsExt;
    let _ = f.set_permissions(std::fs::Permissions::from_mode(0o644));
}

#[cfg(not(unix))]
fn set_readable(_f: &std::fs::File) {}

fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = [0u8; 64 * 1024];
    let mut n = 0u64;
    loop {
        let r = f.read(&mut buf)?;
        if r == 0 {
            break;
        }
        n += r as u64;
        h.update(&buf[..r]);
    }
    let hex = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((hex, n))
}

/// How old a temporary file of ours must be before a build treats it as
/// left by an interrupted build. A package's temporary file lives for
/// milliseconds; the margin keeps a build running at the same time into the
/// same folder safe.
const STALE_PART_AGE: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Removes `.pecyn-*.zip.part` files (our own naming, and only regular files)
/// that an interrupted build left in `out_dir`. Best effort: a file that
/// cannot be removed is left for the next build.
fn remove_stale_parts(out_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(out_dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(".pecyn-") && name.ends_with(".zip.part")) {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > STALE_PART_AGE);
        if meta.is_file() && old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn write_catalogue(out_dir: &Path, packages: &[PackageRecord]) -> Result<(), BuildError> {
    let path = out_dir.join("catalogue.json");
    let cat = Catalogue {
        generator: format!("pecyn {}", env!("CARGO_PKG_VERSION")),
        packages: packages.to_vec(),
    };
    let json = serde_json::to_string_pretty(&cat)
        .map_err(|e| BuildError::Catalogue(path.clone(), std::io::Error::other(e)))?;
    let write = || -> std::io::Result<()> {
        let mut tmp = tempfile::NamedTempFile::new_in(out_dir)?;
        tmp.write_all(json.as_bytes())?;
        tmp.write_all(b"\n")?;
        tmp.as_file().sync_all()?;
        set_readable(tmp.as_file());
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    };
    write().map_err(|e| BuildError::Catalogue(path.clone(), e))
}

/// A Markdown catalogue of the modules in `modules_dir` (for `docs/modules.md`),
/// generated from `module.toml` and the scripts. Modules with errors are listed as such.
pub fn module_index(modules_dir: &Path) -> Result<String, BuildError> {
    let dirs = pecyn_script::discover(modules_dir)?;
    let placeholders = Placeholders::default();
    let mut out = String::from("# The module library\n\n");
    out.push_str("Generated from `modules/` by `pecyn index` — do not edit by hand; run `cargo run -- index > docs/modules.md`.\n\n");
    out.push_str("| id | title (English) | teitl (Cymraeg) | collection | minutes | pass mark | scenes | checks | quiz questions | review | contributors |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|\n");
    let mut total_minutes = 0;
    for d in &dirs {
        let id = d
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (m, _) = load_module(d, &placeholders);
        match m {
            None => out.push_str(&format!(
                "| `{id}` | *does not build: run `pecyn build --only {id}`* | | | | | | | | | |\n"
            )),
            Some(m) => {
                let meta = &m.meta;
                let en = m.script(Locale::En);
                let checks = en
                    .scenes
                    .iter()
                    .flat_map(|s| s.blocks.iter())
                    .filter(|b| matches!(b, pecyn_script::Block::Check { .. }))
                    .count();
                let collection = meta.collection.name();
                let review = meta.review_status.name();
                let contributors = meta
                    .contributors
                    .iter()
                    .map(|c| format!("{} ({})", c.name, c.organisation))
                    .collect::<Vec<_>>()
                    .join("; ");
                total_minutes += meta.minutes;
                out.push_str(&format!(
                    "| `{id}` | {} | {} | {collection} | {} | {}% | {} | {checks} | {} | {review} | {} |\n",
                    md_cell(&meta.title[&Locale::En]),
                    md_cell(&meta.title[&Locale::Cy]),
                    meta.minutes,
                    meta.pass_mark,
                    en.scenes.len(),
                    en.quiz.questions.len(),
                    md_cell(&contributors)
                ));
            }
        }
    }
    out.push_str(&format!(
        "\n{} modules, about {total_minutes} minutes in all, each in English and Welsh.\n",
        dirs.len()
    ));
    Ok(out)
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Maps `f` over `items` on `jobs` threads (0 = one per core), keeping order.
fn parallel_map<T: Sync, R: Send>(items: &[T], jobs: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = if jobs == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    } else {
        jobs
    };
    let threads = threads.min(items.len()).max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= items.len() {
                    break;
                }
                let r = f(&items[i]);
                if let Ok(mut v) = results.lock() {
                    v[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}
