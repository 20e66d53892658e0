pub fn render(_context: &super::Context<'_>) -> Result<String, crate::Error> {
    Ok(String::new())
}
