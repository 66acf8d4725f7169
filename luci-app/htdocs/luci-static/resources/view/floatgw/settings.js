'use strict';
'require view';
'require form';
'require uci';
'require ui';
'require floatgw.config as fgc';

// Services -> floatgw -> Settings: a form over /etc/config/floatgw built
// from the daemon's schema (fgc.sections, generated from floatgw's
// src/config/schema.ts), one field per option under the option's own name,
// checked by the daemon's own validation (fgc.checkOption per field,
// fgc.checkSections for the whole file before anything is saved). A section
// type or option added to the schema appears here at the next build; an
// option for some tracker types only shows when the tracker is of one.
//
// Booleans are written as '1' or '0', never as the option's presence; an
// option is written only when its value changes (so an untouched form saves
// nothing and the file keeps only what someone set).

/** Help text as HTML: escaped, `code` spans kept. */
function helpHtml(text) {
	return '%h'.format(text).replace(/`([^`]*)`/g, '<code>$1</code>');
}

function fieldDescription(spec) {
	const parts = [ helpHtml(spec.help) ];
	if (spec.range)
		parts.push(_('Range: %s.').format('%h'.format(spec.range)));
	if (spec.required)
		parts.push(_('Required.'));
	else if (spec.defaultNote != null)
		parts.push(_('Default: %s.').format(helpHtml(spec.defaultNote)));
	else if (spec.default != null)
		parts.push(_('Default: %s.').format('<code>%h</code>'.format(spec.default)));
	return parts.join(' ');
}

/** The file as it would be saved: every section as LuCI holds it, the
 * section `section_id` with every field of the form laid over it (an empty
 * field: option unset). */
function fileWithForm(s, section_id) {
	return uci.sections('floatgw').map(function(stored) {
		if (stored['.name'] != section_id)
			return stored;
		const merged = Object.assign({}, stored);
		s.children.forEach(function(o) {
			if (!o.getUIElement(section_id))
				return;
			const v = o.formvalue(section_id);
			if (v == null || v === '' || (Array.isArray(v) && v.length == 0))
				delete merged[o.option];
			else
				merged[o.option] = v;
		});
		return merged;
	});
}

/** The widget for one option of the schema. */
function addOption(s, spec) {
	let o;
	if (spec.type.kind == 'bool') {
		o = s.option(form.Flag, spec.name, spec.name, fieldDescription(spec));
		o.enabled = '1';
		o.disabled = '0';
		o.default = spec.default || '0';
		// Always parsed into write() below, which writes '1' or '0'.
		o.rmempty = false;
	}
	else if (spec.type.kind == 'choice' && !spec.list) {
		o = s.option(form.ListValue, spec.name, spec.name, fieldDescription(spec));
		spec.type.choices.forEach(function(c) { o.value(c); });
		o.default = spec.default;
		o.rmempty = !spec.required;
	}
	else {
		o = s.option(spec.list ? form.DynamicList : form.Value, spec.name, spec.name, fieldDescription(spec));
		if (spec.default != null)
			o.placeholder = spec.default;
		o.rmempty = !spec.required;
		if (spec.secret)
			o.password = true;
	}

	// Shown only for the section types it applies to (tracker options).
	(spec.forTypes || []).forEach(function(t) { o.depends('type', t); });

	// The daemon's verdict on this field, with the rest of the form and the
	// file as they stand. Not for a check box: LuCI hands its validator the
	// box's value ('1') whether it is ticked or not; the check of the whole
	// file on save judges it.
	if (spec.type.kind != 'bool')
		o.validate = function(section_id, value) {
			if (value == null || value === '')
				return true;
			const file = fileWithForm(s, section_id).map(function(sec) {
				if (sec['.name'] != section_id)
					return sec;
				const mine = Object.assign({}, sec);
				mine[spec.name] = spec.list ? [].concat(value) : value;
				return mine;
			});
			return fgc.checkOption(file, section_id, spec.name) || true;
		};

	// Write only a change: an option left at its value (or, when unset, at
	// the schema's default) stays as it is in the file.
	const write = o.write;
	o.write = function(section_id, value) {
		const current = this.cfgvalue(section_id);
		const effective = current != null ? current : spec.default;
		if (effective != null && String(effective) === String(value))
			return;
		return write.call(this, section_id, value);
	};
	return o;
}

function addSection(m, desc) {
	let s;
	if (desc.multiple) {
		s = m.section(form.TypedSection, desc.type, _('Sections "%s"').format(desc.type), helpHtml(desc.help));
		s.addremove = true;
		s.anonymous = false;
	}
	else {
		const name = desc.conventionalName;
		s = m.section(form.NamedSection, name, desc.type, _('Section "%s" (%s)').format(desc.type, name), helpHtml(desc.help));
		// Offer to create it when the file lacks it; never to delete it.
		s.addremove = uci.get('floatgw', name) == null;
	}
	desc.options.forEach(function(spec) { addOption(s, spec); });
	return s;
}

return view.extend({
	load: function() {
		return uci.load('floatgw');
	},

	render: function() {
		const m = new form.Map('floatgw', _('floatgw settings'),
			_('Every option of /etc/config/floatgw, under its own name. Save & Apply has the daemon re-read the file: a new priority applies with the next advert, without a transition.'));
		fgc.sections.forEach(function(desc) { addSection(m, desc); });
		this.map = m;
		return m.render();
	},

	/** Saves only a file floatgwd would take: the daemon's validation of
	 * the whole file runs first, and its errors stop the save. */
	handleSave: function() {
		return this.map.save(function() {
			const verdict = fgc.checkSections(uci.sections('floatgw'));
			if (verdict.errors.length)
				throw new Error([ _('floatgwd would refuse this configuration; nothing was saved:') ]
					.concat(verdict.errors.map(function(p) { return p.message; })).join('\n'));
			if (verdict.warnings.length)
				ui.addNotification(null, E('pre', {}, [ verdict.warnings.map(function(p) { return p.message; }).join('\n') ]), 'warning');
		});
	}
});
