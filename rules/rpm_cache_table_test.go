package rules

import "testing"

func TestRPMGeneration(t *testing.T) {
	for ref, want := range map[string]rpmGeneration{
		"fedora":                               rpmDNF5,
		"fedora:latest":                        rpmDNF5,
		"fedora:rawhide":                       rpmDNF5,
		"fedora:41":                            rpmDNF5,
		"registry.fedoraproject.org/fedora:43": rpmDNF5,
		"fedora:40":                            rpmDNF4,
		"fedora:35":                            rpmDNF4,
		"fedora:21":                            rpmYum,
		"centos:7":                             rpmYum,
		"centos:centos7.9.2009":                rpmYum,
		"centos:8":                             rpmDNF4,
		"quay.io/centos/centos:stream9":        rpmDNF4,
		"rockylinux:8.9":                       rpmDNF4,
		"rockylinux/rockylinux:9-minimal":      rpmDNF4,
		"almalinux:10":                         rpmDNF4,
		"oraclelinux:7-slim":                   rpmYum,
		"oraclelinux:9":                        rpmDNF4,
		"amazonlinux:2":                        rpmYum,
		"amazonlinux:2023":                     rpmDNF4,
		"registry.access.redhat.com/ubi8/ubi":  rpmDNF4,
		"registry.access.redhat.com/ubi9":      rpmDNF4,
		"redhat/ubi10-minimal":                 rpmDNF4,
		"registry.access.redhat.com/ubi7/ubi":  rpmYum,
		"centos":                               rpmUnknown,
		"centos:latest":                        rpmUnknown,
		"amazonlinux":                          rpmUnknown,
		"fedora:${VERSION}":                    rpmUnknown,
		"amd64/almalinux:8":                    rpmDNF4,
		"arm64v8/fedora:42":                    rpmDNF5,
		"myorg/almalinux:8":                    rpmUnknown,
		"nvcr.io/nvidia/cuda:12.9.1-base-ubi9": rpmUnknown,
	} {
		if got := rpmGenerationOf(parseImageRef(ref)); got != want {
			t.Errorf("rpmGenerationOf(%q) = %d, want %d", ref, got, want)
		}
	}
}
