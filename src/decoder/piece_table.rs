//! A vocabulary's pieces and the id of each, built fast: Gemma's 262,144 pieces, read from the
//! GGUF metadata on every load, were 262,144 `String`s and as many again as the keys of a
//! SipHash `HashMap` — a sizeable share of a warm load (docs/performance.md). Here the pieces
//! sit end to end in one `String` and the index holds only ids, hashed with foldhash.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

pub struct PieceTable {
    text: String,
    /// Where piece i ends in `text` (it starts where piece i − 1 ends).
    ends: Vec<u32>,
    /// Ids by their piece's hash; a piece written twice keeps its first id.
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl PieceTable {
    pub fn new(pieces: &[&str]) -> Self {
        let mut text = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
        let mut ends = Vec::with_capacity(pieces.len());
        for piece in pieces {
            text.push_str(piece);
            ends.push(text.len() as u32);
        }
        let mut table = Self {
            text,
            ends,
            index: HashTable::with_capacity(pieces.len()),
            hasher: DefaultHashBuilder::default(),
        };
        for (id, piece) in pieces.iter().enumerate() {
            let hash = table.hasher.hash_one(piece);
            if table.find(hash, piece).is_none() {
                let PieceTable {
                    index,
                    ends,
                    text,
                    hasher,
                } = &mut table;
                index.insert_unique(hash, id as u32, |&id| {
                    hasher.hash_one(piece_of(text, ends, id as usize))
                });
            }
        }
        table
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Piece `id`, if there is one.
    pub fn get(&self, id: usize) -> Option<&str> {
        (id < self.ends.len()).then(|| piece_of(&self.text, &self.ends, id))
    }

    /// The id of `piece`, if the vocabulary has it.
    pub fn id(&self, piece: &str) -> Option<u32> {
        self.find(self.hasher.hash_one(piece), piece)
    }

    fn find(&self, hash: u64, piece: &str) -> Option<u32> {
        self.index
            .find(hash, |&id| {
                piece_of(&self.text, &self.ends, id as usize) == piece
            })
            .copied()
    }
}

fn piece_of<'t>(text: &'t str, ends: &[u32], id: usize) -> &'t str {
    let start = if id == 0 { 0 } else { ends[id - 1] as usize };
    &text[start..ends[id] as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_and_ids_round_trip_and_a_repeated_piece_keeps_its_first_id() {
        let table = PieceTable::new(&["▁the", "", "你好", "<0x0A>", "▁the", "a"]);
        assert_eq!(table.len(), 6);
        assert_eq!(table.get(2), Some("你好"));
        assert_eq!(table.get(1), Some(""));
        assert_eq!(table.get(6), None);
        assert_eq!(table.id("▁the"), Some(0));
        assert_eq!(table.id("a"), Some(5));
        assert_eq!(table.id(""), Some(1));
        assert_eq!(table.id("▁th"), None);
    }
}
