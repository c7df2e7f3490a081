//! Files in and out of the page: reading a chosen file, offering a download, and the
//! uploaded point clouds (kept in memory and, when small enough, in localStorage so a
//! reload or a reopened link finds them again).

use crate::core::csv::{MAX_BYTES, Table, parse_points};
use crate::core::export::RelationsFile;
use crate::core::points::PointCloud;
use crate::core::transfer::RelationsLabel;
use crate::core::upload::UploadLabel;
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::JsCast;

const STORAGE_KEY: &str = "aml-playground/upload";
const RELATIONS_KEY: &str = "aml-playground/relations";

thread_local! {
    /// Uploaded clouds by label.
    static UPLOADS: RefCell<HashMap<UploadLabel, PointCloud>> = RefCell::new(HashMap::new());
}

/// The first file chosen in an `<input type=file>` event, with its name.
pub fn chosen_file(event: &web_sys::Event) -> Option<web_sys::File> {
    let input: web_sys::HtmlInputElement = event.target()?.dyn_into().ok()?;
    let file = input.files()?.get(0);
    input.set_value(""); // choosing the same file again fires another change
    file
}

/// The whole text of `file`, refusing files over `limit` bytes before reading them.
pub async fn read_text(file: &web_sys::File, limit: usize) -> Result<String, String> {
    if file.size() > limit as f64 {
        return Err(format!("the file is {:.1} MB; the limit is {} MB", file.size() / (1 << 20) as f64, limit >> 20));
    }
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.map_err(|_| "the browser could not read the file".to_string())?;
    text.as_string().ok_or_else(|| "the file is not text".into())
}

/// Parses an uploaded CSV and keeps the cloud under its label. Returns the table and
/// the label; nothing is kept when the file is refused.
pub async fn upload_points(file: &web_sys::File) -> Result<(Table, UploadLabel), String> {
    let text = read_text(file, MAX_BYTES).await?;
    let table = parse_points(&text).map_err(|e| e.to_string())?;
    let label = table.label(&file.name());
    UPLOADS.with(|u| u.borrow_mut().insert(label.clone(), table.cloud.clone()));
    store(STORAGE_KEY, &label, &text);
    Ok((table, label))
}

/// The cloud with this label, if it was uploaded in this tab or stored by an earlier one.
pub fn uploaded(label: &UploadLabel) -> Option<PointCloud> {
    if let Some(cloud) = UPLOADS.with(|u| u.borrow().get(label).cloned()) {
        return Some(cloud);
    }
    let cloud = parse_points(&stored(STORAGE_KEY, label)?).ok()?.cloud;
    UPLOADS.with(|u| u.borrow_mut().insert(label.clone(), cloud.clone()));
    Some(cloud)
}

/// Keeps the latest file of a kind (`key`) across reloads under its label, if the browser
/// lets us (quota is ~5 MB).
fn store(key: &str, label: &impl std::fmt::Display, text: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, &format!("{label}\n{text}"));
    }
}

/// The text stored under `key` by [`store`], if it is the file with this label.
fn stored(key: &str, label: &impl std::fmt::Display) -> Option<String> {
    let stored = storage()?.get_item(key).ok()??;
    let (stored_label, text) = stored.split_once('\n')?;
    (stored_label == label.to_string()).then(|| text.to_string())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Keeps an imported relations file (its text) under its label, in localStorage too, so
/// that a reload or a reopened link imports it again.
pub fn remember_relations(label: &RelationsLabel, text: &str) {
    store(RELATIONS_KEY, label, text);
}

/// The relations file with this label, if this browser imported it last.
pub fn imported(label: &RelationsLabel) -> Option<RelationsFile> {
    let text = stored(RELATIONS_KEY, label)?;
    label.names(&text).then(|| RelationsFile::from_json(&text).ok()).flatten()
}

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let fail = |_| format!("the browser refused to save {name}");
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").map_err(fail)?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
