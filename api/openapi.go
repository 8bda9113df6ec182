package api

import (
	"net/http"
	"strconv"
)

// obj is a JSON object in the OpenAPI document.
type obj = map[string]any

// ref points at a schema of the document's components.
func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func str(desc string) obj     { return obj{"type": "string", "description": desc} }
func integer(desc string) obj { return obj{"type": "integer", "description": desc} }
func number(desc string) obj  { return obj{"type": "number", "description": desc} }
func boolean(desc string) obj { return obj{"type": "boolean", "description": desc} }
func array(items obj) obj     { return obj{"type": "array", "items": items} }
func object(required []string, props obj) obj {
	o := obj{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// jsonBody is a response or request body of one schema.
func jsonBody(desc string, schema obj) obj {
	return obj{"description": desc, "content": obj{"application/json": obj{"schema": schema}}}
}

// errs are the error responses an operation may give.
func errs(codes ...int) obj {
	out := obj{}
	for _, c := range codes {
		out[itoa(c)] = obj{"$ref": "#/components/responses/E" + itoa(c)}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// op is one operation: summary, roles, responses and, optionally,
// parameters and a request body.
func op(summary, roles string, responses obj, extra ...obj) obj {
	o := obj{"summary": summary, "description": "Roles: " + roles + ".", "responses": responses}
	for _, e := range extra {
		for k, v := range e {
			o[k] = v
		}
	}
	return o
}

func merge(a, b obj) obj {
	out := obj{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func pathID(what string) obj {
	return obj{"parameters": []obj{{"name": "id", "in": "path", "required": true, "schema": obj{"type": "string"}, "description": what}}}
}

func query(params ...obj) obj { return obj{"parameters": params} }

func qparam(name, desc string, schema obj) obj {
	return obj{"name": name, "in": "query", "required": false, "schema": schema, "description": desc}
}

// OpenAPI is the API's OpenAPI 3.0 document.
func OpenAPI() map[string]any {
	var states []any
	for _, s := range moveStates {
		states = append(states, string(s))
	}
	public := obj{"security": []obj{}}
	ok := func(desc, schema string) obj { return obj{"200": jsonBody(desc, ref(schema))} }
	shuttleVerb := func(summary string) obj {
		return op(summary, "operator, admin", merge(ok("the shuttle afterwards", "Shuttle"), errs(400, 401, 403, 404, 409, 413, 422, 503)), pathID("shuttle id (serial number)"))
	}
	return obj{
		"openapi": "3.0.3",
		"info": obj{"title": "fleetd API", "version": "1",
			"description": "The borderfleet fleet controller: container moves, shuttles, customs, chargers and the site. Errors are {\"error\", \"field\"}; request bodies are JSON with no unknown fields, at most 64 KiB by default."},
		"servers":  []obj{{"url": "/"}},
		"security": []obj{{"bearer": []string{}}},
		"paths": obj{
			"/v1/health": obj{"get": op("Liveness", "none (no token)", ok("alive", "Status"), public)},
			"/v1/ready": obj{"get": op("Readiness: 200 when this instance drives the fleet, 503 on standby", "none (no token)",
				obj{"200": jsonBody("active", ref("Status")), "503": jsonBody("standing by", ref("Status"))}, public)},
			"/v1/openapi.json": obj{"get": op("This document", "any", obj{"200": jsonBody("the document", obj{"type": "object"}), "401": obj{"$ref": "#/components/responses/E401"}})},
			"/v1/moves": obj{
				"post": op("Ask for a container move", "operator, admin",
					merge(obj{"201": jsonBody("the move, created", ref("Move")), "200": jsonBody("the move an earlier request with this Idempotency-Key made", ref("Move"))},
						errs(400, 401, 403, 409, 413, 415, 422, 503)),
					obj{"parameters": []obj{{"name": "Idempotency-Key", "in": "header", "required": true, "schema": obj{"type": "string", "maxLength": maxKeyLen},
						"description": "a unique key; a retry with the same key and body returns the same move"}},
						"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": ref("MoveRequest")}}}}),
				"get": op("Moves, newest first", "viewer, operator, admin", merge(ok("the moves", "MoveList"), errs(400, 401, 403, 503)),
					query(qparam("state", "only moves in this state", obj{"type": "string", "enum": states}),
						qparam("container", "only moves of this container (ISO 6346)", obj{"type": "string"}),
						qparam("limit", "at most this many (default 100)", obj{"type": "integer", "minimum": 1, "maximum": maxLimit}),
						qparam("clearances", "true: each move with its clearance records", obj{"type": "boolean"}))),
			},
			"/v1/moves/{id}": obj{"get": op("One move with its history", "viewer, operator, admin", merge(ok("the move", "Move"), errs(401, 403, 404, 503)), pathID("move id"))},
			"/v1/moves/{id}/cancel": obj{"post": op("Cancel a move before its pick: pending, or a shuttle on its way to pick it up (which is stopped and parks); 422 once the container is being loaded or is aboard",
				"operator, admin", merge(ok("the move afterwards", "Move"), errs(400, 401, 403, 404, 413, 415, 422, 503)),
				merge(pathID("move id"), obj{"requestBody": obj{"required": false, "content": obj{"application/json": obj{"schema": ref("CancelRequest")}}}}))},
			"/v1/moves/{id}/priority": obj{"post": op("Change the priority of a move that is not over (it matters while the move waits for a shuttle)",
				"operator, admin", merge(ok("the move afterwards", "Move"), errs(400, 401, 403, 404, 413, 415, 422, 503)),
				merge(pathID("move id"), obj{"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": ref("PriorityRequest")}}}}))},
			"/v1/shuttles": obj{
				"get": op("Every shuttle on the roster", "viewer, operator, admin",
					merge(obj{"200": jsonBody("the shuttles", object([]string{"shuttles"}, obj{"shuttles": array(ref("Shuttle"))}))}, errs(401, 403, 503))),
				"post": op("Put a VDA 5050 vehicle on the roster; it joins the fleet when it reports its state from a node of the lanes (it is asked for its state and factsheet at once)",
					"admin", merge(obj{"201": jsonBody("the vehicle, on the roster", ref("Shuttle"))}, errs(400, 401, 403, 409, 413, 415, 503)),
					obj{"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": ref("AddShuttleRequest")}}}}),
			},
			"/v1/shuttles/{id}":                   obj{"get": op("One shuttle", "viewer, operator, admin", merge(ok("the shuttle", "Shuttle"), errs(401, 403, 404, 503)), pathID("shuttle id (serial number)"))},
			"/v1/shuttles/{id}/pause":             obj{"post": shuttleVerb("Pause a shuttle where it is (idle or driving)")},
			"/v1/shuttles/{id}/resume":            obj{"post": shuttleVerb("Let a paused shuttle go on")},
			"/v1/shuttles/{id}/charge":            obj{"post": shuttleVerb("Send a shuttle with no move (idle or on its way to park) to charge now, to the vehicle's full charge, at its centre's station")},
			"/v1/shuttles/{id}/park":              obj{"post": shuttleVerb("Send a shuttle with no move (idle, or on its way to charge) to the nearest free parking spot; it stays available to dispatch")},
			"/v1/shuttles/{id}/emergency-stop":    obj{"post": shuttleVerb("Stop a shuttle at once, whatever it does (VDA 5050 startPause; no more lane is granted; its move stays with it). The fleet's stop, not a safety function")},
			"/v1/shuttles/{id}/emergency-release": obj{"post": shuttleVerb("Release a stopped shuttle: it goes on with what it was doing")},
			"/v1/shuttles/{id}/out-of-service":    obj{"post": shuttleVerb("Take a shuttle out of service: it takes no work and parks; a move it was to pick up goes back to the pending moves; it stays out through faults and repairs; 422 with a container aboard")},
			"/v1/shuttles/{id}/in-service":        obj{"post": shuttleVerb("Put a shuttle back into service")},
			"/v1/lanes": obj{"get": op("The site's lanes and which are closed (lanes, or single links \"lane#n\")", "viewer, operator, admin",
				merge(obj{"200": jsonBody("the lanes", object([]string{"lanes", "closed"}, obj{"lanes": array(ref("Lane")), "closed": array(str("closed lane or link id"))}))}, errs(401, 403, 503)))},
			"/v1/lanes/{id}/close": obj{"post": op("Close a lane (or one link, \"lane#n\") to new routes; shuttles routed over it are re-routed where another way exists", "operator, admin",
				merge(ok("the closure", "LaneChange"), errs(400, 401, 403, 404, 413, 422, 503)), pathID("lane or link id"))},
			"/v1/lanes/{id}/reopen": obj{"post": op("Reopen a closed lane or link", "operator, admin",
				merge(ok("the lanes closed afterwards", "LaneChange"), errs(400, 401, 403, 404, 413, 422, 503)), pathID("lane or link id"))},
			"/v1/shuttles/{id}/clear-fault": obj{"post": shuttleVerb("Put a faulted shuttle back into dispatch after a failed action, repeated rejections or a position mismatch; 422 names what only the vehicle can clear (a broken link, a FATAL error, manual mode, an emergency stop)")},
			"/v1/customs/queue": obj{"get": op("Containers waiting for customs; an officer sees the own country's checkpoints only", "customs:<country> (a country with a checkpoint on the site), admin",
				merge(obj{"200": jsonBody("the queue, longest waiting first", object([]string{"at", "queue"}, obj{"at": obj{"type": "string", "format": "date-time", "description": "the core's clock, to count waiting time from"}, "queue": array(ref("GateWait"))}))}, errs(400, 401, 403, 503)),
				query(qparam("checkpoint", "only this checkpoint (403 for another country's)", obj{"type": "string"})))},
			"/v1/customs/clearances": obj{"get": op("Clearance records: where each open move's container stands with customs at each checkpoint of its way (status, since, every decision with officer and reason, arrival, inspection, passing, refusal); an officer sees the own country's checkpoints only", "customs:<country> (a country with a checkpoint on the site), admin",
				merge(obj{"200": jsonBody("the records, oldest move first", object([]string{"at", "clearances"}, obj{"at": obj{"type": "string", "format": "date-time", "description": "the core's clock, to count waiting time from"}, "clearances": array(ref("ClearanceItem"))}))}, errs(400, 401, 403, 503)),
				query(qparam("checkpoint", "only this checkpoint (403 for another country's)", obj{"type": "string"}),
					qparam("status", "only this status", obj{"type": "string", "enum": []string{"expected", "pre_cleared", "released", "to_inspect", "waiting", "inspection", "refused", "passed"}}),
					qparam("all", "true: moves that are over too", obj{"type": "boolean"})))},
			"/v1/customs/decisions": obj{"post": op("Decide on a container at a checkpoint of the officer's country; the officer is the token's name", "customs:<country> (a country with a checkpoint on the site), admin",
				merge(ok("the decision as recorded", "Decision"), errs(400, 401, 403, 404, 413, 415, 422, 503)),
				obj{"requestBody": obj{"required": true, "content": obj{"application/json": obj{"schema": ref("DecisionRequest")}}}})},
			"/v1/chargers": obj{"get": op("Charging stations, the shuttles charging now and the charger reservations not yet ended", "viewer, operator, admin",
				merge(obj{"200": jsonBody("the stations", object([]string{"stations"}, obj{"stations": array(ref("Station"))}))}, errs(401, 403, 503)))},
			"/v1/site": obj{"get": op("The site and its lane graph as GeoJSON; graph_node features carry the VDA 5050 x, y and map_id", "any",
				merge(obj{"200": obj{"description": "a GeoJSON FeatureCollection", "content": obj{"application/geo+json": obj{"schema": obj{"type": "object"}}}}}, errs(401, 403)))},
			"/v1/events": obj{"get": op("Server-Sent Events: a \"snapshot\" event (schema Snapshot: moves by state, shuttles, gate queue, chargers, closed lanes) every second, a \"move\" event (schema Move, with its clearances) for each move created or changed (state, history, priority or checkpoints)", "viewer, operator, admin",
				merge(obj{"200": obj{"description": "an event stream", "content": obj{"text/event-stream": obj{"schema": obj{"type": "string"}}}}}, errs(401, 403)))},
		},
		"components": obj{
			"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer", "description": "a token from fleetd's tokens file"}},
			"responses":       errorResponses(),
			"schemas":         schemas(states),
		},
	}
}

func errorResponses() obj {
	out := obj{}
	for c, d := range map[int]string{400: "bad request (the field at fault is named)", 401: "no valid bearer token", 403: "the token's role may not do this",
		404: "not found", 409: "conflicts with the state of things", 413: "request body too large", 415: "not JSON",
		422: "refused by the fleet controller", 503: "standing by, or the fleet core does not answer"} {
		out["E"+itoa(c)] = jsonBody(d, ref("Error"))
	}
	return out
}

func schemas(states []any) obj {
	t := func(desc string) obj { return obj{"type": "string", "format": "date-time", "description": desc} }
	pos := object([]string{"x", "y", "map_id"}, obj{"x": number("metres east of the site origin"), "y": number("metres north of the site origin"), "map_id": str("VDA 5050 mapId")})
	clearanceProps := obj{"checkpoint": str(""), "country": str(""),
		"status": obj{"type": "string", "enum": []string{"expected", "pre_cleared", "released", "to_inspect", "waiting", "inspection", "refused", "passed"}},
		"since":  t("when the status began"), "decisions": array(ref("DecisionTaken")),
		"arrived": t("reached the stop line and waited"), "inspected": t("reached the inspection bay"), "passed": t("passed on its way"), "refused": t("turned back"),
		"can_decide": boolean("a decision here would be taken now (not passed, on the way, the move not over or refused); whoever's role may decide here")}
	clearance := object(nil, clearanceProps)
	gate := object(nil, obj{"checkpoint": str(""), "country": str(""), "move": str(""), "container": str(""), "shuttle": str(""),
		"inspection": boolean("sent to inspection"), "at_inspection_bay": boolean("being inspected"), "decided": boolean("a decision waits to be applied"),
		"since": t("reached the stop line (waiting time, inspection included)"), "can_decide": boolean("a decision on it here would be taken now")})
	return obj{
		"Error":  object([]string{"error"}, obj{"error": str("what is wrong"), "field": str("the request field at fault, if one is")}),
		"Status": object([]string{"status"}, obj{"status": str("ok, active or standby")}),
		"MoveRequest": object([]string{"container", "origin", "destination"}, obj{
			"container": str("ISO 6346 container number, such as MSCU1234566"), "origin": str("yard bay id"), "destination": str("yard bay id"),
			"priority": obj{"type": "integer", "minimum": -maxPriority, "maximum": maxPriority, "description": "higher goes first"}, "earliest_pickup": t("not picked up before"), "deadline": t("to be delivered by"),
			"declaration": str("customs declaration reference"), "pre_cleared": boolean("customs cleared it before the gates")}),
		"Transition": object(nil, obj{"at": t(""), "from": str(""), "to": str(""), "cause": str(""),
			"decision": str("set for a customs decision noted (release, inspect or refuse); from and to are then the state it was in")}),
		"Move": object([]string{"id", "container", "origin", "destination", "state"}, obj{
			"id": str(""), "container": str(""), "origin": str(""), "destination": str(""), "priority": integer(""),
			"earliest_pickup": t(""), "deadline": t(""), "declaration": str(""), "pre_cleared": boolean(""),
			"state": obj{"type": "string", "enum": states}, "shuttle": str("the shuttle assigned"), "created": t(""),
			"history": array(ref("Transition")), "passed_over": array(str("why a shuttle was passed over")),
			"clearances": array(ref("Clearance"))}),
		"CancelRequest":   object(nil, obj{"reason": str("why, for the move's history and the audit trail")}),
		"PriorityRequest": object([]string{"priority"}, obj{"priority": obj{"type": "integer", "minimum": -maxPriority, "maximum": maxPriority, "description": "higher goes first"}}),
		"AddShuttleRequest": object([]string{"manufacturer", "serial_number"}, obj{"manufacturer": str("as in the vehicle's VDA 5050 topics"),
			"serial_number": str("as in the vehicle's VDA 5050 topics; the shuttle's id"), "type": str("a model name, for people")}),
		"Lane": object([]string{"id", "closed"}, obj{"id": str(""), "name": str(""), "closed": boolean("the whole lane is closed"),
			"closed_links": array(str("closed links of it"))}),
		"LaneChange": object([]string{"lane", "closed", "still_routed_over", "closed_lanes"}, obj{"lane": str(""), "closed": boolean(""),
			"still_routed_over": array(str("shuttles with no other way to their goal")), "closed_lanes": array(str("every closed lane or link"))}),
		"MoveList": object([]string{"moves", "total"}, obj{"moves": array(ref("Move")), "total": integer("moves matching, before the limit")}),
		"Position": pos,
		"Shuttle": object([]string{"id"}, obj{
			"id": str("serial number"), "manufacturer": str(""), "serial_number": str(""), "connection": str("ONLINE, OFFLINE or CONNECTIONBROKEN"),
			"joined": boolean(""), "state": str("the controller's shuttle state"), "activity": str(""), "soc": number("state of charge, 0..1"),
			"last_node": str(""), "position": ref("Position"), "driving": boolean(""), "order_id": str(""), "loads": array(str("")),
			"move": str("the move it carries out"), "reasons": array(str("why it is out of dispatch")), "state_at": t("its last state"),
			"factsheet": object(nil, obj{"series_name": str(""), "agv_class": str(""), "min_order_interval_s": number(""),
				"min_state_interval_s": number(""), "actions": array(str("action types it supports")),
				"warnings": array(str("where its action parameters and the roster entry's disagree"))}),
			"ignored_keys": array(str("keys of its messages fleetd does not know and ignores, topic:path"))}),
		"ShuttleStatus": object([]string{"id"}, obj{"id": str(""), "state": str(""), "activity": str(""), "soc": number(""),
			"last_node": str(""), "position": ref("Position"), "move": str("")}),
		"GateWait": gate,
		"DecisionRequest": object([]string{"checkpoint", "move", "decision"}, obj{"checkpoint": str("checkpoint id"), "move": str("move id"),
			"decision": obj{"type": "string", "enum": []string{"release", "inspect", "refuse"}}, "reason": str("")}),
		"Decision": object(nil, obj{"checkpoint": str(""), "country": str(""), "move": str(""), "decision": str(""), "officer": str(""),
			"reason": str(""), "move_state": str(""), "clearance": ref("Clearance")}),
		"Clearance":     clearance,
		"ClearanceItem": object(nil, merge(obj{"move": str(""), "container": str(""), "move_state": str("")}, clearanceProps)),
		"DecisionTaken": object(nil, obj{"at": t(""), "decision": str("release, inspect or refuse"), "officer": str(""), "reason": str("")}),
		"Station": object(nil, obj{"id": str(""), "name": str(""), "centre": str(""), "chargers": integer(""), "charger_power_kw": number(""),
			"grid_cap_kw": number(""), "position": ref("Position"), "charging": array(str("shuttle id")), "free": integer("chargers not in use"),
			"reservations": array(ref("Reservation"))}),
		"Reservation": object(nil, obj{"shuttle": str(""), "charger": integer("0 .. chargers-1"), "start": t(""), "end": t(""),
			"from_soc": number("expected state of charge on arrival, 0..1"), "to_soc": number("target, 0..1"), "power_kw": number(""),
			"checked_in": boolean("the shuttle has plugged in")}),
		"Snapshot": object(nil, obj{"at": t("the core's clock"), "active": boolean(""), "moves": obj{"type": "object", "additionalProperties": obj{"type": "integer"}},
			"shuttles": array(ref("ShuttleStatus")), "gates": array(ref("GateWait")), "gate_counts": obj{"type": "object", "additionalProperties": obj{"type": "integer"}, "description": "containers waiting per checkpoint (a viewer gets these, and no gates)"}, "chargers": array(ref("Station")),
			"closed_lanes": array(str("closed lane or link id"))}),
	}
}

// openapi is GET /v1/openapi.json.
func (s *Server) openapi(w http.ResponseWriter, _ *http.Request, _ Token) error {
	writeJSON(w, http.StatusOK, OpenAPI())
	return nil
}
