/**
 * A set of 96-bit digests in typed arrays (open addressing, linear probing): 12 bytes a member, tables 60–85% full
 * (about 16 bytes a member), where a `Set` of digest strings costs about ten times that. It remembers which records of
 * a file were seen, so its size is what grows with a file's rows: 18 million rows take about 300 MB.
 *
 * The members are spread over `SHARDS` tables by bits of the digest that the probing does not use, and each table
 * grows by a quarter on its own: a growth copies one table of a sixty-fourth of the members, so the set never holds
 * its old and its new storage whole at once (one power-of-two table held up to three times its members' size while
 * it doubled: 603 MB at 18 million rows).
 */
const SHARDS = 64;
const MAX_LOAD = 0.85;
const GROWTH = 1.25;
/** 2^-32: a 32-bit digest word times a table's capacity, scaled, is a slot index spread evenly over the table. */
const SCALE = 1 / 4_294_967_296;

class Shard {
  slots: Uint32Array;
  capacity: number;
  count = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.slots = new Uint32Array(capacity * 3);
  }

  add(a: number, b: number, c: number): boolean {
    if (this.count + 1 > this.capacity * MAX_LOAD) this.grow();
    return this.insert(a, b, c);
  }

  private insert(a: number, b: number, c: number): boolean {
    const capacity = this.capacity;
    const slots = this.slots;
    let index = Math.floor(a * capacity * SCALE);
    for (;;) {
      const at = index * 3;
      const sa = slots[at] as number;
      const sb = slots[at + 1] as number;
      const sc = slots[at + 2] as number;
      if (sa === 0 && sb === 0 && sc === 0) {
        slots[at] = a;
        slots[at + 1] = b;
        slots[at + 2] = c;
        this.count++;
        return true;
      }
      if (sa === a && sb === b && sc === c) return false;
      index = index + 1 === capacity ? 0 : index + 1;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.capacity = Math.ceil(this.capacity * GROWTH);
    this.slots = new Uint32Array(this.capacity * 3);
    this.count = 0;
    for (let at = 0; at < old.length; at += 3) {
      const a = old[at] as number;
      const b = old[at + 1] as number;
      const c = old[at + 2] as number;
      if (a !== 0 || b !== 0 || c !== 0) this.insert(a, b, c);
    }
  }
}

export class DigestSet {
  private readonly shards: Shard[];
  /** The all-zero digest marks an empty slot, so it is kept apart. */
  private hasZero = false;

  constructor(initialCapacity = 1 << 16) {
    const perShard = Math.max(16, Math.ceil(initialCapacity / SHARDS));
    this.shards = Array.from({ length: SHARDS }, () => new Shard(perShard));
  }

  get size(): number {
    return this.shards.reduce((sum, shard) => sum + shard.count, 0) + (this.hasZero ? 1 : 0);
  }

  /** Bytes the tables take. */
  get storageBytes(): number {
    return this.shards.reduce((sum, shard) => sum + shard.slots.byteLength, 0);
  }

  /** Adds the digest's first 12 bytes; false when they were already there. */
  add(digest: Uint8Array): boolean {
    if (digest.byteLength < 12) throw new Error('a digest of at least 12 bytes is needed');
    const view = new DataView(digest.buffer, digest.byteOffset, 12);
    const a = view.getUint32(0, true);
    const b = view.getUint32(4, true);
    const c = view.getUint32(8, true);
    if (a === 0 && b === 0 && c === 0) {
      const added = !this.hasZero;
      this.hasZero = true;
      return added;
    }
    // The shard by b's top bits; a picks the slot within it.
    return (this.shards[b >>> 26] as Shard).add(a, b, c);
  }
}
