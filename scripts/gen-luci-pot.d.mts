// Types of gen-luci-pot.mjs.
/** The strings of the _('...') and _("...") calls in `source`. */
export declare function translatable(source: string): string[];
/** luci-app/po/templates/floatgw.pot as it should be. */
export declare function renderPot(): string;
