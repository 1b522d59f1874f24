// Another extension of the same host: its storage holds a secret the attacker must not read.
spindle.log.info('victim: loaded');
