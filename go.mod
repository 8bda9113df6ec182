module github.com/borderfleet/borderfleet

go 1.26.8

require (
	github.com/looplab/fsm v1.0.3
	github.com/paulmach/orb v0.14.0
	github.com/stretchr/testify v1.12.1
	pgregory.net/rapid v1.3.0
)

require (
	go.mongodb.org/mongo-driver/v2 v2.5.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
