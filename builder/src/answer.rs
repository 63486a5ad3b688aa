//! The answer file placed at the stick's root. Placeholder until the answer-files
//! crate renders the real one: a stick built with it does not install unattended.

pub fn render(site: &payload::Site, image_index: u32) -> anyhow::Result<String> {
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- oqs-stick placeholder answer file for {} (image index {image_index}) -->\n<unattend xmlns=\"urn:schemas-microsoft-com:unattend\"/>\n",
        site.clinic.medical_institution_code
    ))
}
