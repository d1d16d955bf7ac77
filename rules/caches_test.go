package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cachelint/cachelint/dockerfile"
)

// TestCacheNeeds checks where each tool's cache is found for the last RUN
// of a Dockerfile: through image defaults, USER, HOME, ENV, ARG defaults,
// env prefixes and flags.
func TestCacheNeeds(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string // "What: dir|dir" or "What: ?" when unknown; "(off)" suffix
	}{
		{"npm as root", "FROM node:22\nRUN npm ci", []string{"npm cache: /root/.npm"}},
		{"npm as node", "FROM node:22\nUSER node\nRUN npm ci", []string{"npm cache: /home/node/.npm"}},
		{"npm as uid of node", "FROM node:22\nUSER 1000:1000\nRUN npm ci", []string{"npm cache: /home/node/.npm"}},
		{"npm env override", "FROM node:22\nENV npm_config_cache=/cache/npm\nRUN npm ci", []string{"npm cache: /cache/npm"}},
		{"npm flag", "FROM node:22\nWORKDIR /app\nRUN npm ci --cache .npm", []string{"npm cache: /app/.npm"}},
		{"npm prefix flag", "FROM node:22\nRUN npm --prefix web ci", []string{"npm cache: /root/.npm"}},
		{"npm cache clean is no use", "FROM node:22\nRUN npm cache clean --force", nil},
		{"npm run is no use", "FROM node:22\nRUN npm run build", nil},
		{"unknown user", "FROM node:22\nUSER appuser\nRUN npm ci", []string{"npm cache: ?"}},
		{"created user", "FROM node:22\nRUN useradd -m -u 1001 app\nUSER app\nRUN npm ci", []string{"npm cache: /home/app/.npm"}},
		{"created user with home", "FROM alpine\nRUN adduser -D -h /srv/app app\nUSER app\nRUN npm ci", []string{"npm cache: /srv/app/.npm"}},
		{"system user debian", "FROM debian\nRUN adduser --system app\nUSER app\nRUN npm ci", []string{"npm cache: /nonexistent/.npm"}},
		{"numeric user without passwd", "FROM alpine\nUSER 1234\nRUN pip install flask", []string{"pip cache: /.cache/pip"}},
		{"HOME set", "FROM python:3.12\nENV HOME=/home/x\nRUN pip install -r requirements.txt", []string{"pip cache: /home/x/.cache/pip"}},
		{"HOME from unknown ARG", "FROM python:3.12\nARG HOME\nRUN pip install flask", []string{"pip cache: ?"}},
		{"pip no cache dir", "FROM python:3.12\nRUN pip install --no-cache-dir flask", []string{"pip cache: /root/.cache/pip (off)"}},
		{"pip no cache env", "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask", []string{"pip cache: /root/.cache/pip (off)"}},
		{"pip no cache env false", "FROM python:3.12\nENV PIP_NO_CACHE_DIR=0\nRUN pip install flask", []string{"pip cache: /root/.cache/pip"}},
		{"python -m pip", "FROM python:3.12\nRUN python -m pip install flask", []string{"pip cache: /root/.cache/pip"}},
		{"XDG cache", "FROM python:3.12\nENV XDG_CACHE_HOME=/xdg\nRUN uv sync", []string{"uv cache: /xdg/uv"}},
		{"uv no-cache-dir alias", "FROM python:3.12\nRUN uv pip install --no-cache-dir --system flask", []string{"uv cache: /root/.cache/uv (off)"}},
		{"uv env prefix", "FROM python:3.12\nRUN UV_CACHE_DIR=/uvc uv sync", []string{"uv cache: /uvc"}},
		{"go in golang", "FROM golang:1.23\nRUN go build ./...", []string{"Go module cache: /go/pkg/mod", "Go build cache: /root/.cache/go-build"}},
		{"go elsewhere", "FROM debian\nRUN go build ./...", []string{"Go module cache: /root/go/pkg/mod", "Go build cache: /root/.cache/go-build"}},
		{"go mod download", "FROM golang:1.23\nRUN go mod download", []string{"Go module cache: /go/pkg/mod"}},
		{"go vendored", "FROM golang:1.23\nRUN go build -mod=vendor ./...", []string{"Go build cache: /root/.cache/go-build"}},
		{"go through stage", "FROM golang:1.23-alpine AS base\nFROM base AS build\nENV GOCACHE=/gocache\nRUN go test ./...", []string{"Go module cache: /go/pkg/mod", "Go build cache: /gocache"}},
		{"cargo in rust", "FROM rust:1.80\nRUN cargo build --release", []string{"Cargo registry: /usr/local/cargo/registry", "Cargo git cache: /usr/local/cargo/git"}},
		{"cargo elsewhere", "FROM debian\nRUN cargo build", []string{"Cargo registry: /root/.cargo/registry", "Cargo git cache: /root/.cargo/git"}},
		{"maven", "FROM maven:3\nRUN mvn -B package", []string{"Maven repository: /root/.m2/repository"}},
		{"maven repo flag", "FROM maven:3\nRUN mvn -Dmaven.repo.local=/m2 package", []string{"Maven repository: /m2"}},
		{"maven opts", "FROM maven:3\nENV MAVEN_OPTS=\"-Xmx1g -Dmaven.repo.local=/repo\"\nRUN mvn package", []string{"Maven repository: /repo"}},
		{"mvnw", "FROM eclipse-temurin:21\nRUN ./mvnw -o package", []string{"Maven repository: /root/.m2/repository"}},
		{"gradle image root", "FROM gradle:8\nRUN gradle build", []string{"Gradle user home: /root/.gradle|/home/gradle/.gradle"}},
		{"gradle user", "FROM gradle:8\nUSER gradle\nRUN gradle build", []string{"Gradle user home: /home/gradle/.gradle|/root/.gradle"}},
		{"gradlew env", "FROM eclipse-temurin:21\nENV GRADLE_USER_HOME=/cache/gradle\nRUN ./gradlew build", []string{"Gradle user home: /cache/gradle"}},
		{"composer image", "FROM composer:2\nRUN composer install", []string{"Composer cache: /tmp/cache"}},
		{"yarn as root", "FROM node:22\nRUN yarn install --frozen-lockfile", []string{"Yarn cache: /usr/local/share/.cache/yarn|/root/.yarn/berry/cache|/.yarn/cache"}},
		{"yarn as node", "FROM node:22\nUSER node\nRUN yarn", []string{"Yarn cache: /home/node/.cache/yarn|/home/node/.yarn/berry/cache|/.yarn/cache"}},
		{"yarn as root with XDG", "FROM node:22\nENV XDG_CACHE_HOME=/xdg\nRUN yarn", []string{"Yarn cache: /xdg/yarn|/root/.yarn/berry/cache|/.yarn/cache"}},
		{"yarn project cache", "FROM node:22\nWORKDIR /src\nRUN yarn install", []string{"Yarn cache: /usr/local/share/.cache/yarn|/root/.yarn/berry/cache|/src/.yarn/cache"}},
		{"pnpm home", "FROM node:22\nENV PNPM_HOME=/pnpm\nRUN pnpm install --frozen-lockfile", []string{"pnpm store: /pnpm/store"}},
		{"dotnet", "FROM mcr.microsoft.com/dotnet/sdk:8.0\nRUN dotnet restore", []string{"NuGet packages folder: /root/.nuget/packages"}},
		{"dotnet no-restore", "FROM mcr.microsoft.com/dotnet/sdk:8.0\nRUN dotnet publish --no-restore -c Release", []string{"NuGet packages folder: /root/.nuget/packages"}},
		{"apt", "FROM debian\nRUN apt-get update && apt-get install -y gcc", []string{"apt lists: /var/lib/apt", "apt package cache: /var/cache/apt", "apt lists: /var/lib/apt"}},
		{"apk no-cache", "FROM alpine\nRUN apk add --no-cache git", []string{"apk cache: /etc/apk/cache|/var/cache/apk (off)"}},
		{"yum", "FROM centos:7\nRUN yum install -y gcc", []string{"dnf cache: /var/cache/yum"}},
		{"yum is dnf", "FROM rockylinux:9\nRUN yum install -y gcc", []string{"dnf cache: /var/cache/dnf"}},
		{"dnf5", "FROM fedora:42\nRUN dnf install -y gcc", []string{"dnf cache: /var/cache/libdnf5"}},
		{"yum unknown release", "FROM my/rpm-base\nRUN yum install -y gcc", []string{"dnf cache: /var/cache/yum|/var/cache/libdnf5|/var/cache/dnf"}},
		{"tdnf", "FROM photon:5.0\nRUN tdnf install -y gcc", []string{"dnf cache: /var/cache/tdnf"}},
		{"sh -c and cd", "FROM python:3.12\nRUN sh -c 'cd /app && pip install -r requirements.txt'", []string{"pip cache: /root/.cache/pip"}},
		{"heredoc", "# syntax=docker/dockerfile:1\nFROM node:22\nRUN <<EOF\nnpm ci\nEOF", []string{"npm cache: /root/.npm"}},
		{"exec form", "FROM golang:1.23\nRUN [\"go\", \"mod\", \"download\"]", []string{"Go module cache: /go/pkg/mod"}},
		{"apt value flag", "FROM debian\nRUN apt-get -o Acquire::Retries=3 install -y gcc", []string{"apt package cache: /var/cache/apt", "apt lists: /var/lib/apt"}},
		{"pacman", "FROM archlinux\nRUN pacman -Syu --noconfirm git", []string{"pacman package cache: /var/cache/pacman/pkg"}},
		{"pacman clean", "FROM archlinux\nRUN pacman -Scc --noconfirm", nil},
		{"sbt", "FROM sbtscala/scala-sbt\nRUN sbt assembly", []string{"Coursier cache: /root/.cache/coursier|/root/.ivy2"}},
		{"sudo", "FROM node:22\nUSER node\nRUN sudo npm install -g pnpm", []string{"npm cache: /root/.npm"}},
		{"sudo -u", "FROM node:22\nRUN sudo -Eu node npm ci", []string{"npm cache: /home/node/.npm"}},
		{"gosu", "FROM node:22\nENV HOME=/x\nRUN gosu node:node npm ci", []string{"npm cache: /home/node/.npm"}},
		{"su-exec unknown", "FROM node:22\nARG U\nRUN su-exec $U npm ci", []string{"npm cache: ?"}},
		{"runuser", "FROM python:3.12\nRUN useradd -m app && runuser -u app -- pip install flask", []string{"pip cache: /home/app/.cache/pip"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := dockerfile.Parse("Dockerfile", []byte(tc.src), nil)
			last := f.Instructions[len(f.Instructions)-1]
			var got []string
			for _, n := range cacheNeeds(last) {
				s := n.Cache.What + ": ?"
				if n.Dirs != nil {
					s = n.Cache.What + ": " + strings.Join(n.Dirs, "|")
				}
				if n.Off {
					s += " (off)"
				}
				got = append(got, s)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestParseUserAdd(t *testing.T) {
	cases := []struct {
		argv string
		want string // name uid gid home, or "" when not a user add
	}{
		{"useradd -m -u 1001 app", "app 1001  /home/app"},
		{"useradd --uid=1001 -g 1001 -d /srv app", "app 1001 1001 /srv"},
		{"useradd -r -s /bin/false svc", "svc   /home/svc"},
		{"adduser -D -u 1000 -h /data app", "app 1000  /data"},
		{"adduser --system --uid 999 --group app", "app 999  /nonexistent"},
		{"adduser --disabled-password --gecos '' app", "app   /home/app"},
		{"adduser app staff", "app   /home/app"},
		{"usermod -aG docker app", ""},
		{"useradd -u $UID app", "app   /home/app"},
	}
	for _, tc := range cases {
		name, acct, ok := parseUserAdd(strings.Fields(tc.argv))
		got := ""
		if ok {
			got = fmt.Sprintf("%s %s %s %s", name, acct.UID, acct.GID, acct.Home)
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.argv, got, tc.want)
		}
	}
}

// TestCleanups checks which caches a tool's own cleanup command wipes.
func TestCleanups(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
	}{
		{"apt-get clean keeps the lists", "FROM debian\nRUN apt-get clean", []string{"apt package cache"}},
		{"apt-get dist-clean empties the lists too", "FROM debian\nRUN apt-get dist-clean", []string{"apt package cache", "apt lists"}},
		{"go clean -modcache", "FROM golang:1.23\nRUN go clean -modcache", []string{"Go module cache"}},
		{"go clean -cache", "FROM golang:1.23\nRUN go clean -cache", []string{"Go build cache"}},
		{"go clean -testcache wipes nothing", "FROM golang:1.23\nRUN go clean -testcache", nil},
		{"npm cache clean", "FROM node:22\nRUN npm cache clean --force", []string{"npm cache"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := dockerfile.Parse("Dockerfile", []byte(tc.src), nil)
			var got []string
			for _, n := range cleanups(f.Instructions[len(f.Instructions)-1]) {
				got = append(got, n.Cache.What)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
