title: cost out a-b on a
author: jane@example.net
risk: low
topology: topology.yaml
steps:
  - name: cost out a-b on a
    device: a
    config: |
      interface eth1
       ip ospf cost 100
    rollback_config: |
      interface eth1
       ip ospf cost 10
    effects:
      - {type: set_metric, link: ab, metric: 100, from: a}
    checks:
      - name: cost is 100
        command: show ip ospf interface eth1
        expect: {regex: 'Cost: 100\b'}
