package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/borderfleet/borderfleet/vehicles"
)

// runMQTT runs `fleetd mqtt acl`.
func runMQTT(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprint(stdout, groupHelp("mqtt"))
		return 0
	}
	if len(args) == 0 || args[0] != "acl" {
		fmt.Fprintf(stderr, "fleetd mqtt: want the subcommand acl\n\n%s", groupHelp("mqtt"))
		return 2
	}
	fs := newFlagSet("mqtt acl", stderr)
	config := fs.String("config", "", "fleetd's configuration `file`, with the roster (required)")
	out := fs.String("o", "", "`directory` to write passwd, acl and credentials.json to (required)")
	keep := fs.Bool("keep", false, "keep the passwords of the accounts already in the directory's credentials.json (fleetd's and each vehicle still on the roster); only vehicles new to the roster get new ones. Without it every password is new")
	if code, done := parseFlags(fs, args[1:], stdout, stderr); done {
		return code
	}
	if *config == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	c, err := readConfig(*config)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd mqtt acl: %v\n", err)
		return 1
	}
	roster, err := vehicles.NewRoster(c.Roster...)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd mqtt acl: %s: %v\n", *config, err)
		return 1
	}
	if len(c.Roster) == 0 {
		fmt.Fprintf(stderr, "fleetd mqtt acl: %s has no roster: a vehicle needs to be on it to get an account\n", *config)
		return 1
	}
	acc, err := vehicles.NewAccounts(c.Interface, roster, nil)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd mqtt acl: %v\n", err)
		return 1
	}
	kept := 0
	if *keep {
		if kept, err = keepPasswords(&acc, filepath.Join(*out, "credentials.json")); err != nil {
			fmt.Fprintf(stderr, "fleetd mqtt acl: --keep: %v\n", err)
			return 1
		}
	}
	passwd, err := acc.MosquittoPasswd(nil)
	if err != nil {
		fmt.Fprintf(stderr, "fleetd mqtt acl: %v\n", err)
		return 1
	}
	creds, err := json.MarshalIndent(acc, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "fleetd mqtt acl: %v\n", err)
		return 1
	}
	if err := os.MkdirAll(*out, 0o700); err != nil {
		fmt.Fprintf(stderr, "fleetd mqtt acl: %v\n", err)
		return 1
	}
	for name, body := range map[string][]byte{"passwd": []byte(passwd), "acl": []byte(acc.MosquittoACL()), "credentials.json": append(creds, '\n')} {
		if err := os.WriteFile(filepath.Join(*out, name), body, 0o600); err != nil {
			fmt.Fprintf(stderr, "fleetd mqtt acl: %v\n", err)
			return 1
		}
	}
	abs, _ := filepath.Abs(*out)
	if *keep {
		fmt.Fprintf(stdout, "fleetd mqtt acl: kept the passwords of %d of %d accounts\n", kept, len(acc.Vehicles)+1)
	}
	fmt.Fprintf(stdout, `fleetd mqtt acl: %d vehicle accounts and fleetd's in %s
  passwd, acl        for Mosquitto: in mosquitto.conf
                       allow_anonymous false
                       password_file %s
                       acl_file %s
  credentials.json   the plain passwords (mode 0600): fleetd's goes in its
                     config ("broker": {"username": %q, "password": ...}),
                     each vehicle's in that vehicle (shuttle-sim --credentials)
`, len(acc.Vehicles), abs, filepath.Join(abs, "passwd"), filepath.Join(abs, "acl"), vehicles.FleetdUser)
	return 0
}

// keepPasswords puts the passwords of the accounts in the credentials
// file at path into acc, for fleetd and each vehicle acc has, and says
// how many it kept. No file is no error (nothing to keep); a file that
// does not decode is.
func keepPasswords(acc *vehicles.Accounts, path string) (int, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var old vehicles.Accounts
	if err := json.Unmarshal(data, &old); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	kept := 0
	if old.Fleetd.Username == acc.Fleetd.Username && old.Fleetd.Password != "" {
		acc.Fleetd.Password = old.Fleetd.Password
		kept++
	}
	for i, v := range acc.Vehicles {
		if a, ok := old.Vehicle(v.Manufacturer, v.SerialNumber); ok && a.Username == v.Username && a.Password != "" {
			acc.Vehicles[i].Password = a.Password
			kept++
		}
	}
	return kept, nil
}
