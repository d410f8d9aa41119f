//! The chat wrapper: a user prompt rendered through the model's own Jinja chat template from
//! its GGUF metadata (for SmolLM2, ChatML with a default system message), with minijinja.

use minijinja::{context, Environment, Error as JinjaError, ErrorKind};

use crate::error::{Error, Result};

/// HF chat templates call `raise_exception(message)` to reject conversations.
fn raise_exception(message: String) -> std::result::Result<String, JinjaError> {
    Err(JinjaError::new(ErrorKind::InvalidOperation, message))
}

pub struct ChatTemplate {
    source: String,
}

impl ChatTemplate {
    pub fn new(source: String) -> Result<Self> {
        let template = Self { source };
        template.render_user("check")?;
        Ok(template)
    }

    /// One user message and the assistant's turn opened, as the model was trained to see it.
    pub fn render_user(&self, prompt: &str) -> Result<String> {
        let mut env = Environment::new();
        env.add_function("raise_exception", raise_exception);
        env.render_str(
            &self.source,
            context! {
                messages => vec![context! { role => "user", content => prompt }],
                add_generation_prompt => true,
            },
        )
        .map_err(|e| Error::BadModelFile {
            file: "the GGUF file",
            what: "chat template",
            reason: e.to_string(),
        })
    }
}
