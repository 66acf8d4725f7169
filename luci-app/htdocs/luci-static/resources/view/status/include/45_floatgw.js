'use strict';
'require baseclass';
'require floatgw.status as fgs';

// The floatgw box of Status -> Overview: one line per instance, for
// sessions that may use floatgw (others do not see the box). LuCI's
// overview stops calling a box whose load fails, so load never fails: a
// failed call becomes a message in the box.

return baseclass.extend({
	title: _('Gateway failover (floatgw)'),

	load: function() {
		return fgs.permitted().then(function(permitted) {
			if (!permitted)
				return { hidden: true };
			return fgs.callStatus().then(function(status) {
				return { status: status };
			}, function(err) {
				return { error: fgs.explainFailure(err) };
			});
		});
	},

	render: function(result) {
		if (result.hidden)
			return null;
		fgs.addStyle();
		if (result.error)
			return E('p', { 'class': 'floatgw-error', 'data-kind': result.error.kind }, [ result.error.text ]);

		const rows = [
			E('tr', { 'class': 'tr table-titles' }, [
				E('th', { 'class': 'th' }, _('Instance')),
				E('th', { 'class': 'th' }, _('State')),
				E('th', { 'class': 'th' }, _('Priority')),
				E('th', { 'class': 'th' }, _('Master')),
				E('th', { 'class': 'th' }, _('Virtual addresses')),
				E('th', { 'class': 'th' }, _('DHCP')),
				E('th', { 'class': 'th' }, _('Last transition'))
			])
		];
		result.status.instances.forEach(function(inst) {
			const last = inst.lastTransition;
			rows.push(E('tr', { 'class': 'tr', 'data-instance': inst.name, 'data-state': inst.state }, [
				E('td', { 'class': 'td' }, [ '%s (VRID %d)'.format(inst.name, inst.vrid) ]),
				E('td', { 'class': 'td' }, fgs.stateBadge(inst.state)),
				E('td', { 'class': 'td' }, [ fgs.priorityText(inst.priority) ]),
				E('td', { 'class': 'td' }, [ fgs.masterText(inst) ]),
				E('td', { 'class': 'td' }, [ inst.vips.join(', ') + (inst.vipPresent ? '' : ' ' + _('(not here)')) ]),
				E('td', { 'class': 'td' }, [ inst.dhcp ]),
				E('td', { 'class': 'td' }, [ last ? _('%s ago: %s').format(fgs.duration(last.agoMs), last.reason) : '-' ])
			]));
		});
		if (rows.length == 1)
			rows.push(E('tr', { 'class': 'tr placeholder' }, E('td', { 'class': 'td' }, E('em', {}, _('No instance runs.')))));

		return E([], [
			E('table', { 'class': 'table' }, rows),
			E('p', {}, E('a', { 'href': L.url('admin/status/floatgw') }, _('Details and switchover')))
		]);
	}
});
