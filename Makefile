# Builds and installs airlock with its shell completions and man page, all generated from the
# command-line definitions (swift-argument-parser). `make install PREFIX=~/.local` for one user;
# DESTDIR is honoured for packaging.
PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift
BUILD := .build/release
GEN := .build/generated

.PHONY: all build completions man install uninstall clean-generated

all: build completions man

build:
	$(SWIFT) build -c release --product airlock

# Completion scripts come from the binary itself, so they always match its options.
completions: build
	mkdir -p $(GEN)/completions
	$(BUILD)/airlock --generate-completion-script bash > $(GEN)/completions/airlock.bash
	$(BUILD)/airlock --generate-completion-script zsh > $(GEN)/completions/_airlock
	$(BUILD)/airlock --generate-completion-script fish > $(GEN)/completions/airlock.fish

# The man page comes from swift-argument-parser's generate-manual plugin (airlock.1, mdoc), which
# writes into the plugin's work folder.
man: build
	$(SWIFT) package generate-manual
	mkdir -p $(GEN)/man
	cp .build/plugins/GenerateManual/outputs/airlock/airlock.1 $(GEN)/man/airlock.1

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BUILD)/airlock $(DESTDIR)$(PREFIX)/bin/airlock
	install -m 644 $(GEN)/man/airlock.1 $(DESTDIR)$(PREFIX)/share/man/man1/airlock.1
	install -m 644 $(GEN)/completions/airlock.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/airlock
	install -m 644 $(GEN)/completions/_airlock $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_airlock
	install -m 644 $(GEN)/completions/airlock.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/airlock.fish

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/airlock $(DESTDIR)$(PREFIX)/share/man/man1/airlock.1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/airlock \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_airlock \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/airlock.fish

clean-generated:
	rm -rf $(GEN)
