package agv

import "github.com/borderfleet/borderfleet/vda5050"

// Factsheet describes the simulated shuttle (without its header): a
// carrier for two 20-foot containers that drives the site's lane graph,
// with the actions and optional order fields it supports.
func (v *Vehicle) Factsheet() vda5050.Factsheet {
	statePeriod := v.cfg.StatePeriod.Seconds()
	if statePeriod <= 0 {
		statePeriod = DefaultStatePeriod.Seconds() // states only on events: no period, the same floor
	}
	heartbeat := Heartbeat.Seconds()
	f := vda5050.Factsheet{
		TypeSpecification: vda5050.TypeSpecification{
			SeriesName:        v.cfg.Model.Name,
			SeriesDescription: "borderfleet simulated driverless electric cargo shuttle (2 TEU)",
			AgvKinematic:      vda5050.KinematicDiff,
			AgvClass:          vda5050.ClassCarrier,
			MaxLoadMass:       2 * 30480, // two laden 20-foot containers, kg
			LocalizationTypes: []string{"NATURAL"},
			NavigationTypes:   []string{"AUTONOMOUS"},
		},
		PhysicalParameters: vda5050.PhysicalParameters{
			SpeedMin:        0.1,
			SpeedMax:        v.cfg.TopSpeedKmh / 3.6,
			AccelerationMax: 0.5,
			DecelerationMax: 1.5,
			HeightMin:       1.2,
			HeightMax:       4.2,
			Width:           2.9,
			Length:          14.5,
		},
		ProtocolLimits: vda5050.ProtocolLimits{
			Timing: vda5050.Timing{
				MinOrderInterval:      0.1,
				MinStateInterval:      statePeriod / 10,
				DefaultStateInterval:  &heartbeat,
				VisualizationInterval: nil,
			},
		},
		ProtocolFeatures: vda5050.ProtocolFeatures{
			OptionalParameters: []vda5050.OptionalParameter{
				{Parameter: "order.nodes.nodePosition.allowedDeviationXY", Support: vda5050.SupportSupported},
				{Parameter: "order.edges.maxSpeed", Support: vda5050.SupportSupported},
				{Parameter: "order.edges.length", Support: vda5050.SupportSupported},
				{Parameter: "state.newBaseRequest", Support: vda5050.SupportSupported, Description: "set when less than NewBaseDistance of base is left and the order has a horizon"},
			},
			AgvActions: []vda5050.AgvAction{
				{ActionType: vda5050.ActionPick, ActionScopes: []string{vda5050.ScopeNode}, ActionDescription: "load a container at a bay",
					ActionParameters: []vda5050.AgvActionParameter{
						{Key: "loadId", ValueDataType: vda5050.DataString, Description: "ISO 6346 container number", IsOptional: true},
						{Key: "loadType", ValueDataType: vda5050.DataString, IsOptional: true},
					}},
				{ActionType: vda5050.ActionDrop, ActionScopes: []string{vda5050.ScopeNode}, ActionDescription: "unload the container at a bay",
					ActionParameters: []vda5050.AgvActionParameter{{Key: "loadId", ValueDataType: vda5050.DataString, IsOptional: true}}},
				{ActionType: vda5050.ActionStartCharging, ActionScopes: []string{vda5050.ScopeInstant, vda5050.ScopeNode}, ActionDescription: "plug in at a charging station; finished once charging"},
				{ActionType: vda5050.ActionStopCharging, ActionScopes: []string{vda5050.ScopeInstant, vda5050.ScopeNode}},
				{ActionType: vda5050.ActionCancelOrder, ActionScopes: []string{vda5050.ScopeInstant}, ActionDescription: "stop at the end of the current edge"},
				{ActionType: vda5050.ActionStartPause, ActionScopes: []string{vda5050.ScopeInstant}},
				{ActionType: vda5050.ActionStopPause, ActionScopes: []string{vda5050.ScopeInstant}},
				{ActionType: vda5050.ActionStateRequest, ActionScopes: []string{vda5050.ScopeInstant}},
				{ActionType: vda5050.ActionFactsheetRequest, ActionScopes: []string{vda5050.ScopeInstant}},
			},
		},
		LoadSpecification: vda5050.LoadSpecification{
			LoadPositions: []string{"deck"},
			LoadSets:      []vda5050.LoadSet{{SetName: "containers", LoadType: "container", Description: "one or two 20-foot or one 40-foot ISO container"}},
		},
	}
	if p := v.cfg.VisualizationPeriod; p > 0 {
		s := p.Seconds()
		f.ProtocolLimits.Timing.VisualizationInterval = &s
	}
	return f
}
