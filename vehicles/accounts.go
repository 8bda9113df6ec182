package vehicles

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/borderfleet/borderfleet/vda5050"
)

// This file gives each vehicle its own identity on the broker: one account
// per roster vehicle, which may publish only its own state, connection,
// visualization and factsheet and read only its own order and
// instantActions, and one for fleetd, which reads those and writes these
// for every vehicle. fleetd's checks (trust.go) still apply: the broker
// keeps a vehicle from speaking for another, fleetd keeps it from lying
// about itself.

// Account is one login on the broker.
type Account struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// VehicleAccount is a roster vehicle's login.
type VehicleAccount struct {
	Manufacturer string `json:"manufacturer"`
	SerialNumber string `json:"serialNumber"`
	Account
}

// Accounts are the broker logins of a fleet: what `fleetd mqtt acl` writes
// to credentials.json, for fleetd's config and the vehicles'.
type Accounts struct {
	Interface string           `json:"interface"`
	Fleetd    Account          `json:"fleetd"`
	Vehicles  []VehicleAccount `json:"vehicles"`
}

// FleetdUser is fleetd's user name on the broker.
const FleetdUser = "fleetd"

// NewAccounts makes a login with a random password for fleetd and for each
// roster vehicle; a vehicle's user name is manufacturer/serialNumber. rnd
// nil uses crypto/rand.
func NewAccounts(iface string, r *Roster, rnd io.Reader) (Accounts, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	if iface == "" {
		iface = vda5050.DefaultInterface
	}
	a := Accounts{Interface: iface}
	var err error
	if a.Fleetd, err = newAccount(FleetdUser, rnd); err != nil {
		return Accounts{}, err
	}
	for _, e := range r.Entries() {
		if strings.ContainsAny(e.Manufacturer+e.SerialNumber, ":") {
			return Accounts{}, fmt.Errorf("vehicles: %s/%s: a broker user name may not contain ':'", e.Manufacturer, e.SerialNumber)
		}
		acc, err := newAccount(e.Manufacturer+"/"+e.SerialNumber, rnd)
		if err != nil {
			return Accounts{}, err
		}
		a.Vehicles = append(a.Vehicles, VehicleAccount{Manufacturer: e.Manufacturer, SerialNumber: e.SerialNumber, Account: acc})
	}
	return a, nil
}

func newAccount(user string, rnd io.Reader) (Account, error) {
	b := make([]byte, 18)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return Account{}, fmt.Errorf("vehicles: password for %s: %w", user, err)
	}
	return Account{Username: user, Password: base64.RawURLEncoding.EncodeToString(b)}, nil
}

// Vehicle returns a vehicle's login; ok false if it has none.
func (a Accounts) Vehicle(manufacturer, serial string) (Account, bool) {
	for _, v := range a.Vehicles {
		if v.Manufacturer == manufacturer && v.SerialNumber == serial {
			return v.Account, true
		}
	}
	return Account{}, false
}

// Rule is what one account may do on the broker: subscribe to the Read
// topic filters, publish on the Write ones.
type Rule struct {
	Account
	Read, Write []string
}

// Rules are every account's rights: fleetd reads what vehicles publish
// and writes what they read, for all of them; each vehicle publishes only
// on its own state, connection (its will too), visualization and factsheet
// topics and reads only its own order and instantActions. Vehicles come
// in user name order.
func (a Accounts) Rules() []Rule {
	up := []vda5050.Topic{vda5050.TopicState, vda5050.TopicConnection, vda5050.TopicVisualization, vda5050.TopicFactsheet}
	down := []vda5050.Topic{vda5050.TopicOrder, vda5050.TopicInstantActions}
	f := Rule{Account: a.Fleetd}
	for _, t := range up {
		f.Read = append(f.Read, vda5050.Subscription(a.Interface, t))
	}
	for _, t := range down {
		f.Write = append(f.Write, vda5050.Subscription(a.Interface, t))
	}
	out := []Rule{f}
	vs := append([]VehicleAccount(nil), a.Vehicles...)
	sort.Slice(vs, func(i, j int) bool { return vs[i].Username < vs[j].Username })
	for _, v := range vs {
		r := Rule{Account: v.Account}
		for _, t := range up {
			r.Write = append(r.Write, vda5050.TopicName(a.Interface, v.Manufacturer, v.SerialNumber, t))
		}
		for _, t := range down {
			r.Read = append(r.Read, vda5050.TopicName(a.Interface, v.Manufacturer, v.SerialNumber, t))
		}
		out = append(out, r)
	}
	return out
}

// MosquittoACL is Rules as a Mosquitto acl_file.
func (a Accounts) MosquittoACL() string {
	var b strings.Builder
	b.WriteString("# written by fleetd mqtt acl: one account per vehicle, one for fleetd\n")
	for _, r := range a.Rules() {
		fmt.Fprintf(&b, "\nuser %s\n", r.Username)
		for _, t := range r.Read {
			fmt.Fprintf(&b, "topic read %s\n", t)
		}
		for _, t := range r.Write {
			fmt.Fprintf(&b, "topic write %s\n", t)
		}
	}
	return b.String()
}

// MosquittoPasswd is a Mosquitto password_file of every account, hashed as
// mosquitto_passwd does (PBKDF2-SHA512, 101 rounds, a 12-byte salt: "$7$").
// rnd nil uses crypto/rand.
func (a Accounts) MosquittoPasswd(rnd io.Reader) (string, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	all := []Account{a.Fleetd}
	for _, v := range a.Vehicles {
		all = append(all, v.Account)
	}
	var b strings.Builder
	for _, acc := range all {
		salt := make([]byte, 12)
		if _, err := io.ReadFull(rnd, salt); err != nil {
			return "", fmt.Errorf("vehicles: salt: %w", err)
		}
		h, err := pbkdf2.Key(sha512.New, acc.Password, salt, 101, 64)
		if err != nil {
			return "", fmt.Errorf("vehicles: hash: %w", err)
		}
		fmt.Fprintf(&b, "%s:$7$101$%s$%s\n", acc.Username, base64.StdEncoding.EncodeToString(salt), base64.StdEncoding.EncodeToString(h))
	}
	return b.String(), nil
}
