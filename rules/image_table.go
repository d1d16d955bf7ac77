package rules

import "strings"

// officialImages are the repositories of Docker Hub's library namespace
// (docker-library/official-images), current and deprecated: the only
// images that can be named by a single word. FROM with any other single
// word names an image built locally or a named build context
// (--build-context), which no registry tag or digest pins.
var officialImages = toSet(
	`adminer aerospike almalinux alpine alt amazoncorretto amazonlinux
api-firewall arangodb archlinux backdrop bash bonita buildpack-deps busybox caddy cassandra
celery centos chronograf cirros clearlinux clefos clickhouse clojure composer consul
convertigo couchbase couchdb crate crux dart debian django docker drupal
eclipse-temurin eggdrop elasticsearch elixir emqx erlang express-gateway fedora flink fluentd
friendica fsharp gazebo gcc geonetwork ghost glassfish golang gradle groovy haproxy haskell
haxe hello-world hitch httpd hylang ibm-semeru-runtimes ibmjava influxdb iojs irssi java
jenkins jetty jobber joomla jruby julia kaazing-gateway kapacitor kibana known kong
lightstreamer liquibase logstash mageia mariadb matomo maven mediawiki memcached mongo
mongo-express monica mono mysql nats nats-streaming neo4j neurodebian nextcloud nginx node
notary nuxeo odoo open-liberty openjdk opensuse oraclelinux orientdb owncloud percona perl
photon php php-zendserver phpmyadmin piwik plone postfixadmin postgres pypy python r-base
rabbitmq rails rakudo-star redis redmine registry rethinkdb rocket.chat rockylinux ros ruby
rust sapmachine satosa sentry silverpeas sl solr sonarqube sourcemage spark spiped storm
swarm swift swipl teamspeak telegraf thrift tomcat tomee traefik ubuntu ubuntu-debootstrap
unit varnish vault websphere-liberty wordpress xwiki yourls znc zookeeper`,
	"eclipse-mosquitto", //nolint:misspell // the image's name
)

func toSet(lists ...string) map[string]bool {
	m := map[string]bool{}
	for _, l := range lists {
		for _, w := range strings.Fields(l) {
			m[w] = true
		}
	}
	return m
}

// isLocalImageName reports whether an image name is a single word that is
// not an official image: a locally built image or a named build context.
func isLocalImageName(name string) bool {
	return !strings.ContainsAny(name, "/"+unknownMark) && !officialImages[name]
}
