'use strict';
'require view';
'require form';
'require uci';
'require floatgw.config as fgc';

// Services -> floatgw -> Pair setup: the few facts that bring a pair up,
// filled in on each router's LuCI. What they become in /etc/config/floatgw
// is fgc.pairSections (floatgw's luci-app/src/config.ts); the daemon's own
// validation judges the result before anything is saved, and options the
// setup does not name keep their values.

/** Which option of the file each field of the form becomes. */
const FIELD_OPTION = {
	address: 'address',
	interface: 'interface',
	vrid: 'vrid',
	role: 'priority',
	peer: 'unicast_peer',
	dhcp: 'dhcp',
	secret: 'secret'
};

/** A new shared secret: 24 random bytes from the browser, as 48 hex digits. */
function newSecret() {
	const bytes = new Uint8Array(24);
	window.crypto.getRandomValues(bytes);
	return Array.prototype.map.call(bytes, function(b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
}

/** The setup as the file says it now, for the form to start from. */
function currentSetup() {
	const vip = uci.sections('floatgw', 'vip')[0] || {};
	const list = function(v) { return v == null ? [] : [].concat(v); };
	const priority = Number(vip.priority || 0);
	return {
		address: list(vip.address)[0] || '',
		interface: vip.interface || 'lan',
		vrid: vip.vrid || fgc.DEFAULT_VRID,
		role: priority && priority < fgc.ROLE_PRIORITY.primary ? 'secondary' : 'primary',
		peer: list(vip.unicast_peer)[0] || '',
		dhcp: vip.dhcp == null ? '1' : vip.dhcp,
		secret: uci.get_first('floatgw', 'floatgw', 'secret') || newSecret()
	};
}

return view.extend({
	load: function() {
		return uci.load('floatgw');
	},

	/** The setup the form holds now (fields as typed). */
	formSetup: function(section_id) {
		const s = this.section;
		const v = function(name) {
			const o = s.children.filter(function(c) { return c.option == name; })[0];
			const value = o.getUIElement(section_id) ? o.formvalue(section_id) : o.cfgvalue(section_id);
			return String(value || '');
		};
		return {
			address: v('address'), interface: v('interface'), vrid: v('vrid'),
			role: v('role') == 'secondary' ? 'secondary' : 'primary',
			peer: v('peer'), dhcp: v('dhcp') == '1', secret: v('secret')
		};
	},

	/** The daemon's verdict on the file this setup would write. */
	verdict: function(setup) {
		return fgc.checkSections(fgc.withPair(uci.sections('floatgw'), setup));
	},

	render: function() {
		const data = { setup: currentSetup() };
		const m = new form.JSONMap(data, _('floatgw pair setup'),
			_('Fill this in on both routers, with the same VIP, VRID and secret and each router naming the other as its peer. Save & Apply enables floatgw: the primary becomes master and holds the VIP, the secondary stands by.'));
		const s = m.section(form.NamedSection, 'setup', 'setup');
		const self = this;
		this.section = s;
		this.map = m;

		const field = function(cls, name, title, description) {
			const o = s.option(cls, name, title, description);
			o.rmempty = false;
			// Judged as part of the whole file, by the daemon's rules.
			o.validate = function(section_id) {
				const errors = self.verdict(self.formSetup(section_id)).errors.filter(function(p) {
					return p.option == FIELD_OPTION[name];
				});
				return errors.length ? errors.map(function(p) { return p.message; }).join('; ') : true;
			};
			return o;
		};

		let o = field(form.Value, 'address', _('Virtual IP (VIP)'),
			_('The gateway address the two routers share, with its prefix, e.g. 198.18.0.1/24: the same on both.'));
		o.placeholder = '198.18.0.1/24';
		field(form.Value, 'interface', _('Interface'), _('The netifd interface the VIP lives on.'));
		field(form.Value, 'vrid', _('VRID'), _('Virtual router id (1-255): the same on both routers, unique on the link.'));
		o = field(form.ListValue, 'role', _('This router is'), _('The primary is master whenever it is up; the secondary takes over when it is not.'));
		o.value('primary', _('primary (priority %d)').format(fgc.ROLE_PRIORITY.primary));
		o.value('secondary', _('secondary (priority %d)').format(fgc.ROLE_PRIORITY.secondary));
		field(form.Value, 'peer', _("Peer's address"), _("The other router's own address on this interface (not the VIP)."));
		o = field(form.Flag, 'dhcp', _('DHCP follows the VIP'),
			_('dnsmasq hands out the VIP as gateway and DNS server, only the master serves DHCP, and the leases are copied to the other router.'));
		o.enabled = '1';
		o.disabled = '0';
		field(form.Value, 'secret', _('Shared secret'),
			_('Authenticates the lease channel between the two routers. Generated here in your browser: copy it into the other router\'s form.'));
		o = s.option(form.Button, '_new_secret', ' ');
		o.inputtitle = _('Generate a new secret');
		o.onclick = function(ev, section_id) {
			s.children.filter(function(c) { return c.option == 'secret'; })[0].getUIElement(section_id).setValue(newSecret());
		};

		return m.render();
	},

	/** Writes what the setup says into /etc/config/floatgw (staged, as any
	 * LuCI form does; Save & Apply then applies it with rollback). */
	handleSave: function() {
		return this.map.save(L.bind(function() {
			const setup = this.formSetup('setup');
			const verdict = this.verdict(setup);
			if (verdict.errors.length)
				throw new Error([ _('floatgwd would refuse this configuration; nothing was saved:') ]
					.concat(verdict.errors.map(function(p) { return p.message; })).join('\n'));
			fgc.pairSections(setup).forEach(function(w) {
				if (uci.get('floatgw', w.name) == null)
					uci.add('floatgw', w.type, w.name);
				Object.keys(w.options).forEach(function(opt) {
					uci.set('floatgw', w.name, opt, w.options[opt]);
				});
			});
			return uci.save();
		}, this));
	}
});
