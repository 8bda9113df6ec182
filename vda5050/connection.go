package vda5050

// Connection reports the MQTT link of a vehicle (topic connection, retained,
// QoS 1). The vehicle's last will is a Connection with ConnectionBroken.
type Connection struct {
	Header
	// ConnectionState is ConnectionOnline, ConnectionOffline or ConnectionBroken.
	ConnectionState string `json:"connectionState"`
}

// Visualization is a high-rate position update for display (topic
// visualization). Both fields are optional.
type Visualization struct {
	Header
	// AgvPosition is where the vehicle is, if known.
	AgvPosition *AgvPosition `json:"agvPosition,omitempty"`
	// Velocity in vehicle coordinates, if known.
	Velocity *Velocity `json:"velocity,omitempty"`
}
