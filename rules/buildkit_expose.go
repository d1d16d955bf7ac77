package rules

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// checkPorts reads the ports of an EXPOSE, expanded, as BuildKit does
// ([ip:][hostPort:]port[/proto]): ExposeProtoCasing and
// ExposeInvalidFormat, and the errors that stop the conversion.
func checkPorts(ports []string, loc []parser.Range, lint *linter.Linter) error {
	for _, raw := range ports {
		ip, hostPort, port := splitPort(raw)
		port, proto, _ := strings.Cut(port, "/")
		if port == "" {
			return fmt.Errorf("invalid port: %q: no port specified", raw)
		}
		switch strings.ToLower(proto) {
		case "", "tcp", "udp", "sctp":
		default:
			return fmt.Errorf("invalid port: %q: invalid proto: %s", raw, proto)
		}
		if proto != strings.ToLower(proto) {
			lint.Run(&linter.RuleExposeProtoCasing, loc, linter.RuleExposeProtoCasing.Format(raw))
		}
		if ip != "" || hostPort != "" {
			lint.Run(&linter.RuleExposeInvalidFormat, loc, linter.RuleExposeInvalidFormat.Format(raw))
		}
		if strings.HasPrefix(ip, "[") {
			host, _, err := net.SplitHostPort(ip + ":")
			if err != nil {
				return fmt.Errorf("invalid IP address %v: %w", ip, err)
			}
			ip = host
		}
		if ip != "" && net.ParseIP(ip) == nil {
			return errors.New("invalid IP address: " + ip)
		}
		start, end, err := portRange(port)
		if err != nil {
			return errors.New("invalid containerPort: " + port)
		}
		if hostPort != "" {
			hostStart, hostEnd, err := portRange(hostPort)
			if err != nil {
				return errors.New("invalid hostPort: " + hostPort)
			}
			if end-start != hostEnd-hostStart && end != start {
				return fmt.Errorf("invalid ranges specified for container and host Ports: %s and %s", port, hostPort)
			}
		}
	}
	return nil
}

// splitPort splits [ip:][hostPort:]port: the port is after the last
// colon, the host port before it, the IP address whatever comes first.
func splitPort(raw string) (ip, hostPort, port string) {
	parts := strings.Split(raw, ":")
	n := len(parts)
	switch n {
	case 1:
		return "", "", parts[0]
	case 2:
		return "", parts[0], parts[1]
	}
	return strings.Join(parts[:n-2], ":"), parts[n-2], parts[n-1]
}

// portRange reads a port or a range of ports (8000-8010).
func portRange(s string) (start, end int, err error) {
	if s == "" {
		return 0, 0, errors.New("empty string specified for ports")
	}
	first, last, isRange := strings.Cut(s, "-")
	if start, err = portNumber(first); err != nil {
		return 0, 0, err
	}
	if !isRange || first == last {
		return start, start, nil
	}
	if end, err = portNumber(last); err != nil {
		return 0, 0, err
	}
	if end < start {
		return 0, 0, errors.New("invalid port range: " + s)
	}
	return start, end, nil
}

func portNumber(s string) (int, error) {
	n, err := strconv.ParseInt(s, 10, 0)
	if err != nil {
		return 0, err
	}
	if n < 0 || n > 65535 {
		return 0, errors.New("value out of range (0–65535)")
	}
	return int(n), nil
}
