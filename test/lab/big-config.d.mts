// Types of big-config.mjs (large valid configurations).

/** `n` vip sections, 255 VRIDs per device, one address each. */
export declare function manySections(n: number): string;
/** One vip section whose list of unicast peers has `n` items. */
export declare function manyListItems(n: number): string;
