//! The result columns of `evaluate_arrow`, written block by block straight from the
//! evaluator's verdicts ([`meso::VerdictBlock`]) into Arrow's buffers: dictionary keys for
//! the classification and the statuses, rounded scores, validity words, and the policy
//! lists' offsets and items (one-byte keys into the rule set's names, or the names' bytes)
//! copied from a run made once per distinct set of policies. No row, no string and no
//! intermediate column set is made per row.

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::types::{ArrowDictionaryKeyType, Int32Type, Int8Type};
use arrow_array::{
    Array, ArrayRef, DictionaryArray, Float64Array, ListArray, PrimitiveArray, StringArray,
    StructArray,
};
use arrow_buffer::{
    ArrowNativeType, BooleanBuffer, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer,
};
use arrow_schema::{ArrowError, DataType, Field, Fields};
use meso::VerdictBlock;
use wide::{f64x4, CmpGe, CmpGt, CmpLt};

/// The names of the status codes of [`VerdictBlock`], by code.
const STATUS_NAMES: [&str; 3] = ["matched", "not_matched", "undetermined"];

/// The fields of a problem, in the `problems` column's structs.
pub fn problem_fields() -> Fields {
    Fields::from(vec![
        Field::new("code", DataType::Utf8, true),
        Field::new("message", DataType::Utf8, false),
        Field::new("help", DataType::Utf8, true),
    ])
}

/// The type of the classification, verdict, lead and status columns: each row a key into
/// the names (`dictionary`), one byte wide when `narrow` (at most 127 names: the smallest
/// keys, the least memory written), or the name itself.
pub fn names_type(dictionary: bool, narrow: bool) -> DataType {
    let key = if narrow {
        DataType::Int8
    } else {
        DataType::Int32
    };
    if dictionary {
        DataType::Dictionary(Box::new(key), Box::new(DataType::Utf8))
    } else {
        DataType::Utf8
    }
}

/// The type of a column of lists of names (the policies, the avoid items, the unknown
/// facts): each item typed as [`names_type`] says.
pub fn names_list_type(dictionary: bool, narrow: bool) -> DataType {
    let item = names_type(dictionary, narrow);
    DataType::List(Arc::new(Field::new("item", item, true)))
}

/// Whether `n` names take one-byte keys (see [`names_type`]).
pub fn narrow(n: usize) -> bool {
    n <= i8::MAX as usize
}

fn too_large() -> ArrowError {
    ArrowError::ComputeError("a result column over 2 GiB".into())
}

/// Bits `0..len` of `bits` written at rows `start..start + len` of a bitmap of words.
fn put_bits(words: &mut Vec<u64>, start: usize, len: usize, bits: u64) {
    let bits = bits & low_bits(len);
    let (w, s) = (start / 64, start % 64);
    words.resize((start + len).div_ceil(64), 0);
    if let Some(x) = words.get_mut(w) {
        *x |= bits << s;
    }
    if s > 0 {
        if let Some(x) = words.get_mut(w + 1) {
            *x |= bits >> (64 - s);
        }
    }
}

fn low_bits(len: usize) -> u64 {
    match len {
        64.. => u64::MAX,
        n => (1u64 << n) - 1,
    }
}

/// A validity bitmap of `rows` rows from its words.
fn nulls(words: Vec<u64>, rows: usize) -> NullBuffer {
    NullBuffer::new(BooleanBuffer::new(Buffer::from_vec(words), 0, rows))
}

/// A block's scores as `(x * 10_000).round() / 10_000` (to 4 decimals, as the JSON report
/// and `meso batch` print them), the same to the bit, four lanes at a time with no call
/// to `round` and no branch: `f64::round` rounds half away from zero, so the magnitude is
/// rounded and the sign put back; below 2^52 its floor is found by adding and taking away
/// 2^52 (which rounds to the nearest integer, exactly) and stepping down when that went
/// up; from 2^52 up every value is an integer already.
#[inline(never)]
fn round4_all(scores: &mut [f64; 64]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the processor has AVX (just checked), all `round4_avx` needs.
        unsafe { round4_avx(scores) };
        return;
    }
    round4_lanes(scores);
}

/// [`round4_all`] with SSE2 (every x86_64) or what else `wide` finds at compile time.
fn round4_lanes(scores: &mut [f64; 64]) {
    const EXACT: f64 = 4_503_599_627_370_496.0; // 2^52
    let (exact, one, half) = (f64x4::splat(EXACT), f64x4::splat(1.0), f64x4::splat(0.5));
    let (scale, sign) = (f64x4::splat(10_000.0), f64x4::splat(-0.0));
    for four in scores.chunks_exact_mut(4) {
        let Ok(lanes) = <[f64; 4]>::try_from(&*four) else {
            continue;
        };
        let y = f64x4::from(lanes) * scale;
        let a = y.abs();
        let nearest = (a + exact) - exact;
        // (A comparison's lanes are all ones or all zeros: `& one` is 1.0 or 0.0.)
        let floor = nearest - (nearest.cmp_gt(a) & one);
        let floor = a.cmp_lt(exact).blend(floor, a);
        let up = (a - floor).cmp_ge(half) & one;
        let rounded = ((floor + up) / scale) | (y & sign);
        four.copy_from_slice(&rounded.to_array());
    }
}

/// [`round4_all`] with AVX: four lanes an instruction, the floor in one.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn round4_avx(scores: &mut [f64; 64]) {
    use std::arch::x86_64::{
        _mm256_add_pd, _mm256_and_pd, _mm256_andnot_pd, _mm256_cmp_pd, _mm256_div_pd,
        _mm256_loadu_pd, _mm256_mul_pd, _mm256_or_pd, _mm256_round_pd, _mm256_set1_pd,
        _mm256_storeu_pd, _mm256_sub_pd, _CMP_GE_OQ, _MM_FROUND_NO_EXC, _MM_FROUND_TO_NEG_INF,
    };
    let (scale, half) = (_mm256_set1_pd(10_000.0), _mm256_set1_pd(0.5));
    let (one, sign) = (_mm256_set1_pd(1.0), _mm256_set1_pd(-0.0));
    for four in scores.chunks_exact_mut(4) {
        // SAFETY: `four` is 4 doubles, what an unaligned 256-bit load and store read and
        // write.
        unsafe {
            let y = _mm256_mul_pd(_mm256_loadu_pd(four.as_ptr()), scale);
            let a = _mm256_andnot_pd(sign, y);
            let floor = _mm256_round_pd::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(a);
            let up = _mm256_cmp_pd::<_CMP_GE_OQ>(_mm256_sub_pd(a, floor), half);
            let rounded = _mm256_div_pd(_mm256_add_pd(floor, _mm256_and_pd(up, one)), scale);
            _mm256_storeu_pd(
                four.as_mut_ptr(),
                _mm256_or_pd(rounded, _mm256_and_pd(y, sign)),
            );
        }
    }
}

/// A type key per row, written in the spare capacity row by row (a block at a time): one
/// byte wide for up to 127 types, as [`names_type`] says, four beyond.
enum TypeKeys {
    Narrow(Vec<i8>),
    Wide(Vec<i32>),
}

impl TypeKeys {
    fn new(rows: usize, types: usize) -> Self {
        if narrow(types) {
            TypeKeys::Narrow(Vec::with_capacity(rows))
        } else {
            TypeKeys::Wide(Vec::with_capacity(rows))
        }
    }

    /// Rows `at` from `keys` (each a type index), into the spare capacity; whether there
    /// was room for them all.
    #[inline]
    fn write(&mut self, at: std::ops::Range<usize>, keys: impl Iterator<Item = u32>) -> bool {
        fn put<K: Key>(
            v: &mut Vec<K>,
            at: std::ops::Range<usize>,
            keys: impl Iterator<Item = u32>,
        ) -> bool {
            let Some(slots) = v.spare_capacity_mut().get_mut(at) else {
                return false;
            };
            for (slot, k) in slots.iter_mut().zip(keys) {
                slot.write(K::of(k));
            }
            true
        }
        // A narrow key is below 127 (at most 127 types): `Key::of` keeps it.
        match self {
            TypeKeys::Narrow(v) => put(v, at, keys),
            TypeKeys::Wide(v) => put(v, at, keys),
        }
    }

    /// Take the first `rows` as written.
    ///
    /// # Safety
    /// Every row `0..rows` was written by [`TypeKeys::write`].
    unsafe fn set_len(&mut self, rows: usize) {
        // SAFETY: what the caller promises; `write` wrote within the capacity.
        unsafe {
            match self {
                TypeKeys::Narrow(v) => v.set_len(rows),
                TypeKeys::Wide(v) => v.set_len(rows),
            }
        }
    }
}

/// The row ends of a list column being written (each row's end: the count of items so
/// far). Rows are only counted while no row has an item (mostly the case for the unknown
/// facts, the provisional lists and the problems): a column with no item in any row takes
/// the one buffer of zeros the columns share (see [`RowEnds::finish`]).
struct RowEnds {
    ends: Vec<i32>,
    /// Rows after `ends`, not written yet: all before the first item, so all ending at 0
    pending: usize,
}

impl RowEnds {
    fn new(rows: usize) -> Self {
        let mut ends = Vec::with_capacity(rows + 1);
        ends.push(0);
        RowEnds { ends, pending: 0 }
    }

    /// Rows so far.
    fn len(&self) -> usize {
        self.ends.len() - 1 + self.pending
    }

    /// `n` more rows, each ending at `end` (the count of items so far).
    #[inline]
    fn push(&mut self, n: usize, end: i32) {
        if end == 0 {
            self.pending += n;
            return;
        }
        if self.pending != 0 {
            self.settle();
        }
        self.ends.extend(std::iter::repeat_n(end, n));
    }

    /// The next rows, ending at `ends` (counts of items so far, in order).
    #[inline]
    fn extend(&mut self, ends: &[i32]) {
        match ends.last() {
            None => {}
            // The last end is the largest: every row ends at 0.
            Some(0) => self.pending += ends.len(),
            Some(_) => {
                if self.pending != 0 {
                    self.settle();
                }
                self.ends.extend_from_slice(ends);
            }
        }
    }

    /// Write the rows counted so far (they end at 0: rows are only counted while there is
    /// no item).
    #[cold]
    fn settle(&mut self) {
        self.ends.extend(std::iter::repeat_n(0, self.pending));
        self.pending = 0;
    }

    /// The ends of `rows` rows, those not pushed ending where the last did (`zeros`, one
    /// per row and one more, when no row has an item).
    fn finish(mut self, rows: usize, zeros: &OffsetBuffer<i32>) -> OffsetBuffer<i32> {
        let last = self.ends.last().copied().unwrap_or(0);
        self.push(rows.saturating_sub(self.len()), last);
        if self.ends.len() == 1 && self.pending + 1 == zeros.len() {
            return zeros.clone();
        }
        self.settle();
        // SAFETY: from 0, one per row, each a count of the items before the row's end,
        // pushed in order (so never going down); what `OffsetBuffer::new` checks.
        unsafe { OffsetBuffer::new_unchecked(ScalarBuffer::from(self.ends)) }
    }
}

/// A `list<utf8>` column being written: per row its end ([`RowEnds`]), per item an
/// offset into the bytes.
struct Lists {
    ends: RowEnds,
    item_offsets: Vec<i32>,
    bytes: Vec<u8>,
}

impl Lists {
    fn new(rows: usize) -> Self {
        Lists {
            ends: RowEnds::new(rows),
            item_offsets: vec![0],
            bytes: Vec::new(),
        }
    }

    /// Append one item.
    #[inline]
    fn item(&mut self, name: &str) {
        self.bytes.extend_from_slice(name.as_bytes());
        self.item_offsets.push(self.bytes.len() as i32);
    }

    /// `n` rows with no item (after the current row's items: ending a row is `n` = 1).
    #[inline]
    fn empty_rows(&mut self, n: usize) {
        self.ends.push(n, (self.item_offsets.len() - 1) as i32);
    }

    /// Append a row's items, `bytes`, each ending at its end in `ends` (relative to
    /// `bytes`); returns the items so far (the row's end).
    #[inline(always)]
    fn items(&mut self, bytes: &[u8], ends: &[i32]) -> i32 {
        if !ends.is_empty() {
            let base = self.bytes.len() as i32;
            self.bytes.extend_from_slice(bytes);
            // One push an item: rows have a few (`extend` costs more around its loop).
            for &e in ends {
                self.item_offsets.push(base.wrapping_add(e));
            }
        }
        (self.item_offsets.len() - 1) as i32
    }

    /// End the next rows at `ends` (as [`Lists::items`] returned them).
    fn end_rows(&mut self, ends: &[i32]) {
        self.ends.extend(ends);
    }

    /// Room for `times` as many items and bytes as written so far.
    fn reserve(&mut self, times: usize) {
        let more = |len: usize| len.saturating_mul(times);
        self.item_offsets.reserve(more(self.item_offsets.len()));
        self.bytes.reserve(more(self.bytes.len()));
    }

    /// Whether every offset fits an `i32` (checked after each block: an offset past it is
    /// never used).
    fn check(&self) -> Result<(), ArrowError> {
        let fits = |n: usize| i32::try_from(n).is_ok();
        if fits(self.bytes.len()) && fits(self.item_offsets.len()) {
            Ok(())
        } else {
            Err(too_large())
        }
    }

    /// The column of `rows` rows (`zeros`: the buffer of zeros that row ends share).
    fn finish(self, rows: usize, zeros: &OffsetBuffer<i32>) -> Result<ListArray, ArrowError> {
        self.check()?;
        // SAFETY: the item offsets start at 0 and only grow (an item's end is the bytes'
        // length after its name is appended, whole), and `check` says every one fits an
        // `i32` (so none wrapped); the bytes are whole `str`s one after the other, valid
        // UTF-8 split at their ends. What `OffsetBuffer::new` and `StringArray::try_new`
        // would check, item by item.
        let values = unsafe {
            let items = OffsetBuffer::new_unchecked(ScalarBuffer::from(self.item_offsets));
            StringArray::new_unchecked(items, Buffer::from_vec(self.bytes), None)
        };
        ListArray::try_new(
            Arc::new(Field::new("item", DataType::Utf8, true)),
            self.ends.finish(rows, zeros),
            Arc::new(values),
            None,
        )
    }
}

/// A dictionary key as a list column stores its items: one byte wide for up to 127 names
/// (see [`narrow`]), four beyond.
trait Key: ArrowNativeType {
    type Arrow: ArrowDictionaryKeyType<Native = Self>;
    /// The key of name `index` (below the count of names, which this width holds).
    fn of(index: u32) -> Self;
}

impl Key for i8 {
    type Arrow = Int8Type;
    #[inline(always)]
    fn of(index: u32) -> i8 {
        index as i8
    }
}

impl Key for i32 {
    type Arrow = Int32Type;
    #[inline(always)]
    fn of(index: u32) -> i32 {
        index as i32
    }
}

/// What the bits of a block's policy keys ([`VerdictBlock::policy_key`]: sets of a row's
/// policies) stand for: the policy of each bit, as a key of the list columns, and the bits
/// of the avoid items.
struct KeyBits {
    keys: [u32; 64],
    avoid: u64,
}

impl KeyBits {
    fn of(block: &VerdictBlock<'_>) -> Self {
        let mut bits = KeyBits {
            keys: [0; 64],
            avoid: 0,
        };
        for (i, key) in bits.keys.iter_mut().enumerate() {
            if let Some(p) = block.key_bit_policy(i) {
                *key = p;
                bits.avoid |= u64::from(block.avoids(p as usize)) << i;
            }
        }
        bits
    }
}

/// A `list<dictionary<K, string>>` column being written: per row its end ([`RowEnds`]),
/// per item a key into the names (a policy's or a fact's index). What [`Lists`] holds
/// without the names' bytes: one key an item, a byte for most rule sets.
struct KeyLists<K> {
    ends: RowEnds,
    keys: Vec<K>,
}

impl<K: Key> KeyLists<K> {
    fn new(rows: usize) -> Self {
        KeyLists {
            ends: RowEnds::new(rows),
            keys: Vec::new(),
        }
    }

    /// Append the item of name `index`.
    #[inline]
    fn item(&mut self, index: u32) {
        self.keys.push(K::of(index));
    }

    /// Append a row's items, the set bits of `set` (from the lowest), each the key
    /// `keys[bit]`; returns the items so far (the row's end).
    #[inline(always)]
    fn items_of_bits(&mut self, mut set: u64, keys: &[u32; 64]) -> i32 {
        // Room for the most a set has (counting its bits first costs more than it saves
        // on processors without a population count instruction).
        if let Some(slots) = self.keys.spare_capacity_mut().first_chunk_mut::<64>() {
            let mut count = 0;
            while set != 0 {
                let key = keys.get(set.trailing_zeros() as usize & 63).copied();
                if let Some(slot) = slots.get_mut(count & 63) {
                    slot.write(K::of(key.unwrap_or(0)));
                }
                set &= set - 1;
                count += 1;
            }
            // SAFETY: the first `count` slots past the length (one per bit of the set, so at
            // most 64, each a different slot) were just written, within the capacity.
            unsafe { self.keys.set_len(self.keys.len() + count) };
        } else {
            while set != 0 {
                let key = keys.get(set.trailing_zeros() as usize & 63).copied();
                self.item(key.unwrap_or(0));
                set &= set - 1;
            }
        }
        self.keys.len() as i32
    }

    /// End the next rows at `ends` (as [`KeyLists::items_of_bits`] returned them).
    fn end_rows(&mut self, ends: &[i32]) {
        self.ends.extend(ends);
    }

    /// `n` rows with no item (after the current row's items: ending a row is `n` = 1).
    #[inline]
    fn empty_rows(&mut self, n: usize) {
        self.ends.push(n, self.keys.len() as i32);
    }

    /// Room for `times` as many items as written so far.
    fn reserve(&mut self, times: usize) {
        self.keys.reserve(self.keys.len().saturating_mul(times));
    }

    /// Whether every row end fits an `i32` (see [`Lists::check`]).
    fn check(&self) -> Result<(), ArrowError> {
        i32::try_from(self.keys.len()).map_err(|_| too_large())?;
        Ok(())
    }

    /// The column of `rows` rows, its keys into `names` (`zeros` as for [`Lists::finish`]).
    fn finish(
        self,
        rows: usize,
        zeros: &OffsetBuffer<i32>,
        names: &ArrayRef,
    ) -> Result<ListArray, ArrowError> {
        self.check()?;
        let keys = PrimitiveArray::<K::Arrow>::new(ScalarBuffer::from(self.keys), None);
        // Checked key by key: a key is a name's index, below the names' count.
        let items = DictionaryArray::<K::Arrow>::try_new(keys, names.clone())?;
        ListArray::try_new(
            Arc::new(Field::new("item", Array::data_type(&items).clone(), true)),
            self.ends.finish(rows, zeros),
            Arc::new(items),
            None,
        )
    }
}

/// A column of lists of names (policies and avoid items, or facts): keys into the names,
/// one byte an item for up to 127 names and four beyond (`dictionary`), or the names'
/// text (see [`names_list_type`]).
enum NameLists {
    Text(Lists),
    Narrow(KeyLists<i8>),
    Wide(KeyLists<i32>),
}

impl NameLists {
    /// The column of `rows` rows of lists of `names` names.
    fn new(rows: usize, names: usize, dictionary: bool) -> Self {
        match (dictionary, narrow(names)) {
            (false, _) => NameLists::Text(Lists::new(rows)),
            (true, true) => NameLists::Narrow(KeyLists::new(rows)),
            (true, false) => NameLists::Wide(KeyLists::new(rows)),
        }
    }

    /// Append the item `name` (whose index is `index`).
    #[inline]
    fn item(&mut self, index: u32, name: &str) {
        match self {
            NameLists::Text(l) => l.item(name),
            NameLists::Narrow(l) => l.item(index),
            NameLists::Wide(l) => l.item(index),
        }
    }

    /// End the current row.
    #[inline]
    fn end_row(&mut self) {
        self.empty_rows(1);
    }

    /// `n` rows with no item.
    #[inline]
    fn empty_rows(&mut self, n: usize) {
        match self {
            NameLists::Text(l) => l.empty_rows(n),
            NameLists::Narrow(l) => l.empty_rows(n),
            NameLists::Wide(l) => l.empty_rows(n),
        }
    }

    /// Room for `times` as many items as written so far.
    fn reserve(&mut self, times: usize) {
        match self {
            NameLists::Text(l) => l.reserve(times),
            NameLists::Narrow(l) => l.reserve(times),
            NameLists::Wide(l) => l.reserve(times),
        }
    }

    fn check(&self) -> Result<(), ArrowError> {
        match self {
            NameLists::Text(l) => l.check(),
            NameLists::Narrow(l) => l.check(),
            NameLists::Wide(l) => l.check(),
        }
    }

    /// The column of `rows` rows (`names`: the names as a string array, what keys index).
    fn finish(
        self,
        rows: usize,
        zeros: &OffsetBuffer<i32>,
        names: &ArrayRef,
    ) -> Result<ArrayRef, ArrowError> {
        Ok(match self {
            NameLists::Text(l) => Arc::new(l.finish(rows, zeros)?),
            NameLists::Narrow(l) => Arc::new(l.finish(rows, zeros, names)?),
            NameLists::Wide(l) => Arc::new(l.finish(rows, zeros, names)?),
        })
    }
}

/// Per distinct set of policies ([`VerdictBlock::policy_key`]) its names, made once and
/// apart by kind (the policies to follow, the avoid items): the bytes and the items' ends
/// (relative to the part's first byte), copied into the two [`Lists`] for each row that has
/// it.
#[derive(Default)]
struct PolicyRuns {
    /// Open addressing, a power of two in size
    slots: Vec<Run>,
    used: usize,
    bytes: Vec<u8>,
    ends: Vec<i32>,
}

/// One set's run: its key, spans of `PolicyRuns::bytes` and `PolicyRuns::ends`.
#[derive(Clone, Copy, Default)]
struct Run {
    key: u64,
    used: bool,
    /// The policies to follow, then the avoid items
    parts: [Part; 2],
}

/// A run of no item.
const NO_PARTS: [Part; 2] = [Part {
    bytes: (0, 0),
    ends: (0, 0),
}; 2];

/// One kind's part of a run: spans of `PolicyRuns::bytes` and `PolicyRuns::ends`.
#[derive(Clone, Copy, Default)]
struct Part {
    bytes: (u32, u32),
    ends: (u32, u32),
}

fn slot_of(key: u64, mask: usize) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize & mask
}

impl PolicyRuns {
    /// The slot of `key`'s run, made from row `r` of `block` the first time (there is
    /// room: see [`PolicyRuns::reserve`]).
    #[inline]
    fn run(&mut self, key: u64, block: &VerdictBlock<'_>, r: usize) -> usize {
        let mask = self.slots.len().saturating_sub(1);
        let mut i = slot_of(key, mask);
        while let Some(run) = self.slots.get(i) {
            if !run.used {
                break;
            }
            if run.key == key {
                return i;
            }
            i = (i + 1) & mask;
        }
        self.make(i, key, block, r);
        i
    }

    /// Make `key`'s run in slot `i` from row `r` of `block`.
    #[cold]
    fn make(&mut self, i: usize, key: u64, block: &VerdictBlock<'_>, r: usize) {
        let mut parts = [Part::default(); 2];
        for (avoid, part) in [false, true].into_iter().zip(&mut parts) {
            let (b, e) = (self.bytes.len() as u32, self.ends.len() as u32);
            for p in block
                .policies(r)
                .filter(|&p| block.avoids(p as usize) == avoid)
            {
                let name = block.policy_name(p as usize).unwrap_or_default();
                self.bytes.extend_from_slice(name.as_bytes());
                self.ends.push(self.bytes.len() as i32 - b as i32);
            }
            *part = Part {
                bytes: (b, self.bytes.len() as u32),
                ends: (e, self.ends.len() as u32),
            };
        }
        if let Some(slot) = self.slots.get_mut(i) {
            *slot = Run {
                key,
                used: true,
                parts,
            };
            self.used += 1;
        }
    }

    /// Room for a block's rows' keys, each new (at most half of the slots used).
    fn reserve(&mut self) {
        while (self.used + 64) * 2 > self.slots.len() {
            self.grow();
        }
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(256);
        let mut slots = vec![Run::default(); size];
        for run in self.slots.iter().filter(|s| s.used) {
            let mut i = slot_of(run.key, size - 1);
            while slots.get(i).is_some_and(|s| s.used) {
                i = (i + 1) & (size - 1);
            }
            if let Some(slot) = slots.get_mut(i) {
                *slot = *run;
            }
        }
        self.slots = slots;
    }

    /// Append the policies of each row of `block` (their keys `keys`, row by row) by name:
    /// those to follow to `recommended`, the avoid items to `avoided`.
    fn append_all(
        &mut self,
        keys: impl Iterator<Item = u64>,
        block: &VerdictBlock<'_>,
        recommended: &mut Lists,
        avoided: &mut Lists,
    ) {
        let (mut follow_ends, mut avoid_ends) = ([0i32; 64], [0i32; 64]);
        let mut n = 0;
        let ends = follow_ends.iter_mut().zip(&mut avoid_ends);
        for ((r, key), (follow_end, avoid_end)) in keys.enumerate().zip(ends) {
            let i = self.run(key, block, r);
            // (A run is always there: `run` made it if it was not.)
            let [to_follow, to_avoid] = self.slots.get(i).map_or(&NO_PARTS, |run| &run.parts);
            let (bytes, item_ends) = self.part(to_follow);
            *follow_end = recommended.items(bytes, item_ends);
            let (bytes, item_ends) = self.part(to_avoid);
            *avoid_end = avoided.items(bytes, item_ends);
            n = r + 1;
        }
        recommended.end_rows(follow_ends.get(..n).unwrap_or_default());
        avoided.end_rows(avoid_ends.get(..n).unwrap_or_default());
    }

    /// A part's bytes and item ends.
    #[inline(always)]
    fn part(&self, part: &Part) -> (&[u8], &[i32]) {
        let bytes = part.bytes.0 as usize..part.bytes.1 as usize;
        let ends = part.ends.0 as usize..part.ends.1 as usize;
        debug_assert!(bytes.start <= bytes.end && bytes.end <= self.bytes.len());
        debug_assert!(ends.start <= ends.end && ends.end <= self.ends.len());
        // SAFETY: a part is made in `make` as the spans of `bytes` and `ends` appended
        // just then (start <= end <= the length after appending), and both only grow.
        unsafe {
            (
                self.bytes.get_unchecked(bytes),
                self.ends.get_unchecked(ends),
            )
        }
    }
}

/// The policies of each row of a block (their keys `keys`: sets, bits as `bits` says) as
/// keys: those to follow to `recommended`, the avoid items to `avoided`.
fn append_key_sets<K: Key>(
    keys: impl Iterator<Item = u64>,
    bits: &KeyBits,
    recommended: &mut KeyLists<K>,
    avoided: &mut KeyLists<K>,
) {
    // Room for every row of the block to have every policy, so that each row writes
    // into spare capacity with no check but one.
    for lists in [&mut *recommended, &mut *avoided] {
        lists.keys.reserve(64 * 64);
    }
    let (mut follow_ends, mut avoid_ends) = ([0i32; 64], [0i32; 64]);
    let mut n = 0;
    let ends = follow_ends.iter_mut().zip(&mut avoid_ends);
    for ((r, set), (follow_end, avoid_end)) in keys.enumerate().zip(ends) {
        *follow_end = recommended.items_of_bits(set & !bits.avoid, &bits.keys);
        *avoid_end = avoided.items_of_bits(set & bits.avoid, &bits.keys);
        n = r + 1;
    }
    recommended.end_rows(follow_ends.get(..n).unwrap_or_default());
    avoided.end_rows(avoid_ends.get(..n).unwrap_or_default());
}

/// One row's `policies` (indexes) by name into the lists of their kind.
fn split_by_kind(
    block: &VerdictBlock<'_>,
    policies: impl Iterator<Item = u32>,
    recommended: &mut NameLists,
    avoided: &mut NameLists,
) {
    for p in policies {
        let name = block.policy_name(p as usize).unwrap_or_default();
        if block.avoids(p as usize) {
            avoided.item(p, name);
        } else {
            recommended.item(p, name);
        }
    }
    recommended.end_row();
    avoided.end_row();
}

/// What the result columns name: the rule set's types, policies and avoid items, and facts,
/// in declaration order (what the verdicts' indexes count), and whether the name columns
/// are dictionaries (keys into these names) or plain strings.
pub struct Names {
    pub types: Vec<String>,
    pub policies: Vec<String>,
    pub facts: Vec<String>,
    pub dictionary: bool,
}

impl Names {
    pub fn of(rules: &meso::Rules, dictionary: bool) -> Self {
        let owned = |names: Vec<&str>| names.into_iter().map(str::to_string).collect();
        Names {
            types: owned(rules.type_names()),
            policies: owned(rules.policy_names()),
            facts: owned(rules.fact_names()),
            dictionary,
        }
    }
}

/// The result columns of one chunk, written as its blocks are evaluated.
pub struct Output {
    rows: usize,
    /// Rows written so far (blocks come in order)
    written: usize,
    classification: TypeKeys,
    /// The largest classification key written
    widest_type: u32,
    /// Rows with a classification
    classified: Vec<u64>,
    /// A key into `VerdictBlock::VERDICTS` per row (0 under a null), written in its spare
    /// capacity as `classification` is
    verdict: Vec<i8>,
    /// A type key per row (0 under a null), written so too, and the rows that have a
    /// provisional lead
    lead: TypeKeys,
    led: Vec<u64>,
    /// The largest lead key written
    widest_lead: u32,
    /// Types
    types: usize,
    /// Type-major (`type * rows + row`): status keys and rounded scores, one allocation
    /// each, shared by the columns. Like `classification`, written in their spare
    /// capacity block by block (every slot of a block's rows, checked), their length set
    /// once every row is written
    status: Vec<i8>,
    score: Vec<f64>,
    /// Rows without problems
    sound: Vec<u64>,
    any_problems: bool,
    recommended: NameLists,
    avoided: NameLists,
    runs: PolicyRuns,
    /// What the bits of the policy keys stand for (made at the first block with keys)
    key_bits: Option<KeyBits>,
    unknown: NameLists,
    provisional_recommended: NameLists,
    provisional_avoided: NameLists,
    problem_ends: RowEnds,
    problem_count: i32,
    code: StringBuilder,
    message: StringBuilder,
    help: StringBuilder,
    error: Option<ArrowError>,
}

impl Output {
    /// The columns of `rows` rows of the rule set of `names`.
    pub fn new(rows: usize, names: &Names) -> Self {
        let types = names.types.len();
        let lists = |n: usize| NameLists::new(rows, n, names.dictionary);
        let policies = names.policies.len();
        Output {
            rows,
            written: 0,
            classification: TypeKeys::new(rows, types),
            widest_type: 0,
            classified: Vec::with_capacity(rows.div_ceil(64)),
            verdict: Vec::with_capacity(rows),
            lead: TypeKeys::new(rows, types),
            led: Vec::with_capacity(rows.div_ceil(64)),
            widest_lead: 0,
            types,
            status: Vec::with_capacity(rows * types),
            score: Vec::with_capacity(rows * types),
            sound: Vec::with_capacity(rows.div_ceil(64)),
            any_problems: false,
            recommended: lists(policies),
            avoided: lists(policies),
            runs: PolicyRuns::default(),
            key_bits: None,
            unknown: lists(names.facts.len()),
            provisional_recommended: lists(policies),
            provisional_avoided: lists(policies),
            problem_ends: RowEnds::new(rows),
            problem_count: 0,
            code: StringBuilder::new(),
            message: StringBuilder::new(),
            help: StringBuilder::new(),
            error: None,
        }
    }

    /// Write the next block's rows.
    pub fn block(&mut self, block: &VerdictBlock<'_>) {
        if self.error.is_some() {
            return;
        }
        let (start, n) = (block.start(), block.len());
        let rows = start..start + n;
        // Every slot of the block's rows is written below: the classifications have its
        // length, and it fits the buffers of 64 rows the types are read into.
        let whole = block.classifications().len() == n && n <= 64;
        if start != self.written || start + n > self.rows || !whole {
            self.error = Some(ArrowError::ComputeError(format!(
                "verdicts for rows {start}..{} after {} rows of {}",
                start + n,
                self.written,
                self.rows
            )));
            return;
        }
        self.written += n;
        // Classification: a key per row (0 under a null), and the rows that have one.
        let mut classified = 0u64;
        let mut widest = self.widest_type;
        let keys = block.classifications().enumerate().map(|(r, c)| {
            let some = c != VerdictBlock::NONE;
            classified |= u64::from(some) << r;
            let c = if some { c } else { 0 };
            widest = widest.max(c);
            c
        });
        let written = self.classification.write(rows.clone(), keys);
        self.widest_type = widest;
        put_bits(&mut self.classified, start, n, classified);
        // Statuses and scores, type by type (a row with problems: key 0 and NaN, null).
        let bad = block.problem_rows();
        put_bits(&mut self.sound, start, n, !bad);
        // The verdict (null for a row with problems) and the provisional lead: only open
        // rows have a lead (key 0 under a null for the others).
        let open = block.open_rows();
        let verdicts = self.verdict.spare_capacity_mut().get_mut(rows.clone());
        let (Some(verdicts), true) = (verdicts, written) else {
            self.error = Some(ArrowError::ComputeError("result columns too short".into()));
            return;
        };
        for (key, v) in verdicts.iter_mut().zip(block.verdicts()) {
            key.write(if v == VerdictBlock::NO_VERDICT {
                0
            } else {
                v as i8
            });
        }
        let (mut led, mut widest) = (0u64, self.widest_lead);
        let leads = (0..n).map(|r| {
            let lead = block.provisional(r);
            let some = lead != VerdictBlock::NONE;
            led |= u64::from(some) << r;
            let lead = if some { lead } else { 0 };
            widest = widest.max(lead);
            lead
        });
        // Only open rows have a lead: with none, every key is 0 (under a null).
        let room = if open == 0 {
            self.lead.write(rows.clone(), std::iter::repeat_n(0, n))
        } else {
            self.lead.write(rows.clone(), leads)
        };
        if !room {
            self.error = Some(ArrowError::ComputeError("result columns too short".into()));
            return;
        }
        self.widest_lead = widest;
        put_bits(&mut self.led, start, n, led);
        self.any_problems |= bad != 0;
        let (mut codes, mut scores) = ([0u8; 64], [0f64; 64]);
        for t in 0..self.types {
            let at = t * self.rows + start..t * self.rows + start + n;
            let status = self.status.spare_capacity_mut().get_mut(at.clone());
            let score = self.score.spare_capacity_mut().get_mut(at);
            let (Some(status), Some(score)) = (status, score) else {
                self.error = Some(ArrowError::ComputeError("result columns too short".into()));
                return;
            };
            block.type_column_into(t, &mut codes, &mut scores);
            round4_all(&mut scores);
            for (key, &c) in status.iter_mut().zip(&codes) {
                key.write(if c <= VerdictBlock::UNDETERMINED {
                    c as i8
                } else {
                    0
                });
            }
            for (x, &sc) in score.iter_mut().zip(&scores) {
                x.write(sc);
            }
        }
        // Policies and avoid items: a run per distinct set, copied; rule sets too large
        // for sets, by name.
        match block.policy_keys() {
            Some(keys) => {
                let bits = self.key_bits.get_or_insert_with(|| KeyBits::of(block));
                match (&mut self.recommended, &mut self.avoided) {
                    // Keys: read from the sets' bits.
                    (NameLists::Narrow(a), NameLists::Narrow(b)) => {
                        append_key_sets(keys, bits, a, b)
                    }
                    (NameLists::Wide(a), NameLists::Wide(b)) => append_key_sets(keys, bits, a, b),
                    // Names: copied from a run made once per distinct set.
                    (NameLists::Text(a), NameLists::Text(b)) => {
                        self.runs.reserve();
                        self.runs.append_all(keys, block, a, b);
                    }
                    _ => {
                        self.error =
                            Some(ArrowError::ComputeError("policy lists of two kinds".into()));
                        return;
                    }
                }
            }
            None => {
                for r in 0..n {
                    let (recommended, avoided) = (&mut self.recommended, &mut self.avoided);
                    split_by_kind(block, block.policies(r), recommended, avoided);
                }
            }
        }
        // Unknown facts and the provisional lead's policies: only open rows have any.
        let open = block.open_rows();
        if open == 0 {
            self.unknown.empty_rows(n);
            self.provisional_recommended.empty_rows(n);
            self.provisional_avoided.empty_rows(n);
        } else {
            for r in 0..n {
                for f in block.unknown_facts(r) {
                    let name = block.fact_name(f as usize).unwrap_or_default();
                    self.unknown.item(f, name);
                }
                self.unknown.end_row();
                let (recommended, avoided) = (
                    &mut self.provisional_recommended,
                    &mut self.provisional_avoided,
                );
                split_by_kind(block, block.provisional_policies(r), recommended, avoided);
            }
        }
        // Problems: only the rows that have them hold any (the rows before a row with
        // problems are ended when it comes, those after the last in `finish`).
        let mut bad_rows = bad;
        while bad_rows != 0 {
            let r = bad_rows.trailing_zeros() as usize;
            bad_rows &= bad_rows - 1;
            let before = (start + r).saturating_sub(self.problem_ends.len());
            self.problem_ends.push(before, self.problem_count);
            for d in block.problems(r) {
                self.code.append_option(d.code.as_deref());
                self.message.append_value(&d.message);
                self.help.append_option(d.help.as_deref());
                self.problem_count = self.problem_count.saturating_add(1);
            }
            self.problem_ends.push(1, self.problem_count);
        }
        if start == 0 && n > 0 {
            // Room for the rest at the first block's rate, so that the lists grow once.
            let rest = self.rows.saturating_sub(n) / n + 1;
            self.recommended.reserve(rest);
            self.avoided.reserve(rest);
        }
        let checked = [
            &self.recommended,
            &self.avoided,
            &self.unknown,
            &self.provisional_recommended,
            &self.provisional_avoided,
        ];
        if let Err(e) = checked.iter().try_for_each(|l| l.check()) {
            self.error = Some(e);
        }
    }

    /// The columns after the ids: classification, verdict, provisional lead, each type's
    /// status and score, the policies to follow and the avoid items, unknown facts, the
    /// provisional lead's policies and avoid items, problems (`type_names`: the
    /// classification's and the lead's dictionary; `dictionary`: the name columns as
    /// dictionaries, or as plain strings).
    pub fn finish(self, names: &Names) -> Result<Vec<ArrayRef>, ArrowError> {
        fn column<K: ArrowDictionaryKeyType>(
            dictionary: bool,
            names: &[&str],
            keys: ScalarBuffer<K::Native>,
            widest: usize,
            nulls: Option<NullBuffer>,
        ) -> Result<ArrayRef, ArrowError> {
            if dictionary {
                dictionary_column::<K>(names, keys, widest, nulls)
            } else {
                plain_column(names, &keys, nulls)
            }
        }
        let (type_names, dictionary) = (&names.types, names.dictionary);
        let names_array = |names: &[String]| -> ArrayRef {
            Arc::new(StringArray::from_iter_values(names.iter()))
        };
        let (policy_names, fact_names) = (names_array(&names.policies), names_array(&names.facts));
        let names: Vec<&str> = type_names.iter().map(String::as_str).collect();
        // The type keys, one byte wide when they fit (as `names_type` says).
        let type_keys = |keys: TypeKeys, widest: u32, nulls: Option<NullBuffer>| match keys {
            TypeKeys::Narrow(keys) => {
                column::<Int8Type>(dictionary, &names, keys.into(), widest as usize, nulls)
            }
            TypeKeys::Wide(keys) => {
                column::<Int32Type>(dictionary, &names, keys.into(), widest as usize, nulls)
            }
        };
        if let Some(e) = self.error {
            return Err(e);
        }
        let rows = self.rows;
        if self.written != rows {
            return Err(ArrowError::ComputeError(format!(
                "{} result rows for {rows} input rows",
                self.written
            )));
        }
        let mut classification = self.classification;
        let (mut verdict_keys, mut lead_keys) = (self.verdict, self.lead);
        if narrow(type_names.len()) != matches!(classification, TypeKeys::Narrow(_)) {
            return Err(ArrowError::ComputeError(format!(
                "{} type names for keys of {} types",
                type_names.len(),
                self.types
            )));
        }
        let (mut status, mut score) = (self.status, self.score);
        // SAFETY: the blocks came in order, one after the other, and covered rows
        // `0..rows` (`written` is `rows`); each wrote the classification, verdict and lead
        // slots of every one of its rows and, for every type, the status and score slots
        // of every one of its rows (its iterators had its length, checked before writing),
        // all within the capacity reserved in `new`.
        unsafe {
            classification.set_len(rows);
            verdict_keys.set_len(rows);
            lead_keys.set_len(rows);
            status.set_len(rows * self.types);
            score.set_len(rows * self.types);
        }
        let mut out: Vec<ArrayRef> = Vec::with_capacity(2 * self.types + 9);
        let classified = nulls(self.classified, rows);
        let classified = (classified.null_count() > 0).then_some(classified);
        out.push(type_keys(classification, self.widest_type, classified)?);
        let verdict = self.any_problems.then(|| nulls(self.sound, rows));
        out.push(column::<Int8Type>(
            dictionary,
            &VerdictBlock::VERDICTS,
            ScalarBuffer::from(verdict_keys),
            VerdictBlock::VERDICTS.len() - 1,
            verdict.clone(),
        )?);
        let led = nulls(self.led, rows);
        let led = (led.null_count() > 0).then_some(led);
        out.push(type_keys(lead_keys, self.widest_lead, led)?);
        let status = ScalarBuffer::<i8>::from(status);
        let score = ScalarBuffer::<f64>::from(score);
        for t in 0..self.types {
            let keys = status.slice(t * rows, rows);
            out.push(column::<Int8Type>(
                dictionary,
                &STATUS_NAMES,
                keys,
                2,
                verdict.clone(),
            )?);
            out.push(Arc::new(Float64Array::try_new(
                score.slice(t * rows, rows),
                verdict.clone(),
            )?));
        }
        // One buffer of zeros, the row offsets of every column with no item in any row.
        // SAFETY: zeros, one per row and one more: in order, and within any values.
        let zeros = unsafe { OffsetBuffer::new_unchecked(ScalarBuffer::from(vec![0; rows + 1])) };
        out.push(self.recommended.finish(rows, &zeros, &policy_names)?);
        out.push(self.avoided.finish(rows, &zeros, &policy_names)?);
        out.push(self.unknown.finish(rows, &zeros, &fact_names)?);
        let provisional = [self.provisional_recommended, self.provisional_avoided];
        for lists in provisional {
            out.push(lists.finish(rows, &zeros, &policy_names)?);
        }
        let mut code = self.code;
        let mut message = self.message;
        let mut help = self.help;
        let parts: Vec<ArrayRef> = vec![
            Arc::new(code.finish()),
            Arc::new(message.finish()),
            Arc::new(help.finish()),
        ];
        let problems = StructArray::try_new(problem_fields(), parts, None)?;
        out.push(Arc::new(ListArray::try_new(
            Arc::new(Field::new("item", DataType::Struct(problem_fields()), true)),
            self.problem_ends.finish(rows, &zeros),
            Arc::new(problems),
            None,
        )?));
        Ok(out)
    }
}

/// A dictionary array: row r is `names[keys[r]]` (null where `nulls` says so); every key
/// is between 0 and `widest`, as its writer knows.
fn dictionary_column<K: ArrowDictionaryKeyType>(
    names: &[&str],
    keys: ScalarBuffer<K::Native>,
    widest: usize,
    nulls: Option<NullBuffer>,
) -> Result<ArrayRef, ArrowError> {
    let values: ArrayRef = Arc::new(StringArray::from_iter_values(names));
    let keys = PrimitiveArray::<K>::try_new(keys, nulls)?;
    if widest >= names.len() && !keys.is_empty() {
        // Not reached (the names are the rule set's): checked key by key.
        return Ok(Arc::new(DictionaryArray::<K>::try_new(keys, values)?));
    }
    // SAFETY: every key is in 0..=widest (written so: non-negative indexes, a row with
    // none gets 0), and widest < names.len(), what `try_new` checks key by key.
    Ok(Arc::new(unsafe {
        DictionaryArray::<K>::new_unchecked(keys, values)
    }))
}

/// A string array: row r is `names[keys[r]]` (null, and empty, where `nulls` says so): what
/// [`dictionary_column`] holds, for readers that take no dictionaries (Spark).
fn plain_column<N: ArrowNativeType>(
    names: &[&str],
    keys: &[N],
    nulls: Option<NullBuffer>,
) -> Result<ArrayRef, ArrowError> {
    if nulls.as_ref().is_some_and(|n| n.len() != keys.len()) {
        return Err(ArrowError::ComputeError(
            "validity of another length".into(),
        ));
    }
    let longest = names.iter().map(|n| n.len()).max().unwrap_or(0);
    let mut offsets = vec![0i32; keys.len() + 1];
    let row_ends = offsets.get_mut(1..).unwrap_or_default();
    // Room for every row's name, and for a whole `SHORT` bytes past the last.
    let room = keys.len().saturating_mul(longest).saturating_add(SHORT);
    let mut bytes: Vec<u8> = Vec::with_capacity(room);
    let mut copied = false;
    if longest <= SHORT {
        let padded: Vec<(u128, usize)> = names
            .iter()
            .map(|n| {
                let mut block = [0u8; SHORT];
                for (b, &x) in block.iter_mut().zip(n.as_bytes()) {
                    *b = x;
                }
                (u128::from_le_bytes(block), n.len())
            })
            .collect();
        copied = match &nulls {
            Some(valid) => copy_short(keys, &padded, valid.iter(), row_ends, &mut bytes),
            None => copy_short(keys, &padded, std::iter::repeat(true), row_ends, &mut bytes),
        };
    }
    if !copied {
        // Longer names: one by one.
        for ((r, &k), end) in keys.iter().enumerate().zip(row_ends) {
            if nulls.as_ref().is_none_or(|n| n.is_valid(r)) {
                let name = k.to_usize().and_then(|k| names.get(k));
                bytes.extend_from_slice(name.copied().unwrap_or_default().as_bytes());
            }
            *end = bytes.len() as i32;
        }
    }
    // The offsets only grow: when the last fits an `i32`, none wrapped.
    i32::try_from(bytes.len()).map_err(|_| too_large())?;
    // SAFETY: the offsets start at 0 and never go down (each is the bytes' length after
    // a row), each fits an `i32` (the last does, checked), and the bytes are whole `str`s
    // one after the other: what `StringArray::try_new` would check.
    let array = unsafe {
        StringArray::new_unchecked(
            OffsetBuffer::new_unchecked(ScalarBuffer::from(offsets)),
            Buffer::from_vec(bytes),
            nulls,
        )
    };
    Ok(Arc::new(array))
}

/// [`plain_column`]'s rows for names of up to `SHORT` bytes (`padded`: each name's bytes
/// and zeros as one word, and its length): row r's name (none where `valid` says not)
/// appended to `bytes` by one store of the whole word, the length then moved past the
/// name's own bytes, and `ends[r]` set to the length (`valid` and `ends` have a row for
/// each key). No call to copy a few bytes, no check per row but the key's. `false`, with
/// nothing written, when a name is longer or `bytes` has not the room (not reached:
/// `plain_column` makes it), for the caller to copy them one by one.
fn copy_short<N: ArrowNativeType>(
    keys: &[N],
    padded: &[(u128, usize)],
    valid: impl Iterator<Item = bool>,
    ends: &mut [i32],
    bytes: &mut Vec<u8>,
) -> bool {
    let longest = padded.iter().map(|&(_, n)| n).max().unwrap_or(0);
    let room = keys.len().saturating_mul(longest).saturating_add(SHORT);
    if longest > SHORT || bytes.capacity() - bytes.len() < room {
        return false;
    }
    let start = bytes.len();
    let (base, mut len) = (bytes.as_mut_ptr(), start);
    for ((&k, v), end) in keys.iter().zip(valid).zip(ends) {
        let (block, n) = match k.to_usize().and_then(|k| padded.get(k)) {
            Some(&(block, n)) if v => (block, n),
            _ => (0, 0),
        };
        // SAFETY: before each row `len` is at most `start` plus `longest` bytes for each row
        // before it, so `len + SHORT` is within the capacity (`room` past `start`, checked
        // above): the store of `SHORT` bytes at `len` is in the allocation.
        unsafe { base.add(len).cast::<u128>().write_unaligned(block) };
        len += n;
        *end = len as i32;
    }
    // SAFETY: bytes `start..len` were written above (each name's own bytes by its store),
    // within the capacity.
    unsafe { bytes.set_len(len) };
    true
}

/// The longest name [`plain_column`] copies as one block.
const SHORT: usize = 16;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::{plain_column, round4_all, round4_lanes};
    use arrow_array::{Array, StringArray};
    use arrow_buffer::NullBuffer;

    /// Names copied as blocks (up to 16 bytes) or one by one (longer), with and without
    /// nulls: each row its name, a null row empty.
    #[test]
    fn plain_names_are_the_names_of_their_keys() {
        let short = ["matched", "not_matched", "", "sixteen_bytes_xx"];
        let long = ["mass_production_cluster", "tnc", "seventeen_bytes_x"];
        for names in [&short[..], &long[..]] {
            let keys: Vec<i8> = (0..200).map(|r| (r * 7 % names.len()) as i8).collect();
            let valid: Vec<bool> = (0..200).map(|r| r % 5 != 3).collect();
            for nulls in [None, Some(NullBuffer::from(valid.clone()))] {
                let column = plain_column(names, &keys, nulls.clone()).unwrap();
                let strings = column.as_any().downcast_ref::<StringArray>().unwrap();
                assert_eq!(strings.len(), keys.len());
                for (r, &k) in keys.iter().enumerate() {
                    if nulls.is_some() && !valid[r] {
                        assert!(strings.is_null(r));
                        assert_eq!(strings.value_length(r), 0);
                    } else {
                        assert_eq!(strings.value(r), names[k as usize], "row {r}");
                    }
                }
            }
            // A validity of another length is an error, not a column.
            let nulls = Some(NullBuffer::from(vec![true; 3]));
            assert!(plain_column(names, &keys, nulls).is_err());
        }
    }

    #[test]
    fn scores_round_as_f64_round_does() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut cases = vec![
            0.0,
            -0.0,
            0.5,
            0.49999999999999994,
            1.0,
            0.00005,
            -0.00005,
            0.12345,
            0.99995,
            f64::NAN,
            f64::INFINITY,
            1e300,
            -1e300,
            4.5e11,
            -4.5e11,
        ];
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cases.push(f64::from_bits(x));
            cases.push((x >> 11) as f64 / (1u64 << 53) as f64);
            cases.push((x % 20_001) as f64 / 20_000.0 - 0.5);
        }
        for chunk in cases.chunks(64) {
            let mut block = [0.0; 64];
            block[..chunk.len()].copy_from_slice(chunk);
            let mut lanes = block;
            round4_all(&mut block);
            round4_lanes(&mut lanes);
            assert_eq!(block.map(f64::to_bits), lanes.map(f64::to_bits));
            for (&c, &lanes) in chunk.iter().zip(&block) {
                let want = (c * 10_000.0).round() / 10_000.0;
                assert!(
                    want.to_bits() == lanes.to_bits() || (want.is_nan() && lanes.is_nan()),
                    "{c:e}: {want:e} != {lanes:e}"
                );
            }
        }
    }
}
