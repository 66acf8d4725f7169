// Types of big-config.mjs (large valid configurations).

/** `n` vip sections, 255 VRIDs per device, one address each. */
export declare function manySections(n: number): string;
/** One vip section whose list of unicast peers has `n` items. */
export declare function manyListItems(n: number): string;
/** `n` vip sections, each tracking a tracker of its own, in sync groups of two. */
export declare function manyReferences(n: number): string;
