package vda5050

// Validate checks a factsheet: a valid header, the enums (agvKinematic,
// agvClass, support, actionScopes, valueDataType, blockingTypes, wheel
// type) and that masses and sizes are not negative. Unlike the official
// 2.0.0 schema it accepts listed blockingTypes (the schema's enum on that
// array is a known bug). The error is a *ValidationError naming the first
// offending field.
func (f Factsheet) Validate() error {
	v := start(TopicFactsheet, f, f.Header)
	ts := f.TypeSpecification
	v.nonEmpty("typeSpecification.seriesName", ts.SeriesName)
	v.oneOf("typeSpecification.agvKinematic", ts.AgvKinematic, KinematicDiff, KinematicOmni, KinematicThreeWheel)
	v.oneOf("typeSpecification.agvClass", ts.AgvClass, ClassForklift, ClassConveyor, ClassTugger, ClassCarrier)
	v.atLeast("typeSpecification.maxLoadMass", ts.MaxLoadMass, 0)
	pp := f.PhysicalParameters
	for _, x := range []struct {
		key string
		val float64
	}{
		{"speedMin", pp.SpeedMin}, {"speedMax", pp.SpeedMax}, {"heightMin", pp.HeightMin},
		{"heightMax", pp.HeightMax}, {"width", pp.Width}, {"length", pp.Length},
	} {
		v.atLeast("physicalParameters."+x.key, x.val, 0)
	}
	if pp.SpeedMax < pp.SpeedMin {
		v.fail("physicalParameters.speedMax", "must be >= speedMin (%v), is %v", pp.SpeedMin, pp.SpeedMax)
	}
	v.features("protocolFeatures", f.ProtocolFeatures)
	for i, w := range f.AgvGeometry.WheelDefinitions {
		p := v.index("agvGeometry.wheelDefinitions", i)
		v.oneOf(v.join(p, "type"), w.Type, WheelDrive, WheelCaster, WheelFixed, WheelMecanum)
		v.atLeast(v.join(p, "diameter"), w.Diameter, 0)
		v.atLeast(v.join(p, "width"), w.Width, 0)
	}
	for i, s := range f.LoadSpecification.LoadSets {
		p := v.index("loadSpecification.loadSets", i)
		v.nonEmpty(v.join(p, "setName"), s.SetName)
		v.optAtLeast(v.join(p, "maxWeight"), s.MaxWeight, 0)
	}
	return v.result()
}

func (v *validator) features(path string, pf ProtocolFeatures) {
	for i, o := range pf.OptionalParameters {
		p := v.index(v.join(path, "optionalParameters"), i)
		v.nonEmpty(v.join(p, "parameter"), o.Parameter)
		v.oneOf(v.join(p, "support"), o.Support, SupportSupported, SupportRequired)
	}
	for i, a := range pf.AgvActions {
		p := v.index(v.join(path, "agvActions"), i)
		v.nonEmpty(v.join(p, "actionType"), a.ActionType)
		for j, s := range a.ActionScopes {
			v.oneOf(v.index(v.join(p, "actionScopes"), j), s, ScopeInstant, ScopeNode, ScopeEdge)
		}
		for j, ap := range a.ActionParameters {
			q := v.index(v.join(p, "actionParameters"), j)
			v.nonEmpty(v.join(q, "key"), ap.Key)
			v.oneOf(v.join(q, "valueDataType"), ap.ValueDataType, DataBool, DataNumber, DataInteger, DataFloat, DataString, DataObject, DataArray)
		}
		for j, b := range a.BlockingTypes {
			v.oneOf(v.index(v.join(p, "blockingTypes"), j), b, BlockingNone, BlockingSoft, BlockingHard)
		}
	}
}
