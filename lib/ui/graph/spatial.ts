// A uniform grid over the laid-out graph: which nodes and edges fall in a rectangle (the viewport)
// or under a point (a click), at a cost proportional to what is there, not to the whole graph.
// Built once per layout; the overview canvas queries it every frame.

export type TBox = { x0: number; y0: number; x1: number; y1: number };

export class SpatialGrid {
  private readonly cells = new Map<number, number[]>();
  private readonly boxes: TBox[] = [];
  private stamp: Uint32Array = new Uint32Array(0);
  private epoch = 0;

  constructor(private readonly cell = 512) {}

  private key(cx: number, cy: number): number {
    // Cells are far fewer than 2^20 per axis for any drawable graph; offset keeps negatives apart.
    return (cx + 524288) * 1048576 + (cy + 524288);
  }

  /** Adds an item; returns its index (the order of insertion). */
  insert(box: TBox): number {
    const i = this.boxes.length;
    this.boxes.push(box);
    const c = this.cell;
    const cx0 = Math.floor(box.x0 / c);
    const cx1 = Math.floor(box.x1 / c);
    const cy0 = Math.floor(box.y0 / c);
    const cy1 = Math.floor(box.y1 / c);
    for (let cx = cx0; cx <= cx1; cx++)
      for (let cy = cy0; cy <= cy1; cy++) {
        const k = this.key(cx, cy);
        const l = this.cells.get(k);
        if (l) l.push(i);
        else this.cells.set(k, [i]);
      }
    return i;
  }

  get size(): number {
    return this.boxes.length;
  }

  box(i: number): TBox {
    return this.boxes[i];
  }

  /** Indices of the items whose box meets the rectangle, each once, into `out` (cleared first). */
  query(r: TBox, out: number[]): number[] {
    out.length = 0;
    if (this.stamp.length < this.boxes.length) this.stamp = new Uint32Array(Math.max(this.boxes.length, this.stamp.length * 2));
    this.epoch = (this.epoch + 1) >>> 0 || 1;
    if (this.epoch === 1) this.stamp.fill(0);
    const c = this.cell;
    const cx0 = Math.floor(r.x0 / c);
    const cx1 = Math.floor(r.x1 / c);
    const cy0 = Math.floor(r.y0 / c);
    const cy1 = Math.floor(r.y1 / c);
    // A viewport wider than the grid's occupied cells: walk the cells that exist instead.
    const span = (cx1 - cx0 + 1) * (cy1 - cy0 + 1);
    const visit = (l: number[]) => {
      for (const i of l) {
        if (this.stamp[i] === this.epoch) continue;
        this.stamp[i] = this.epoch;
        const b = this.boxes[i];
        if (b.x1 >= r.x0 && b.x0 <= r.x1 && b.y1 >= r.y0 && b.y0 <= r.y1) out.push(i);
      }
    };
    if (span > this.cells.size) {
      for (const l of this.cells.values()) visit(l);
    } else {
      for (let cx = cx0; cx <= cx1; cx++)
        for (let cy = cy0; cy <= cy1; cy++) {
          const l = this.cells.get(this.key(cx, cy));
          if (l) visit(l);
        }
    }
    return out;
  }

  /** The last-inserted item whose box holds the point (items drawn later sit on top), or -1. */
  hit(x: number, y: number): number {
    const l = this.cells.get(this.key(Math.floor(x / this.cell), Math.floor(y / this.cell)));
    if (!l) return -1;
    for (let j = l.length - 1; j >= 0; j--) {
      const b = this.boxes[l[j]];
      if (x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1) return l[j];
    }
    return -1;
  }
}
