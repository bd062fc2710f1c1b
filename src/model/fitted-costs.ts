/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 6854,
  wakeup_ns: 4753,
  blk_request_ns: 1128,
  blk_complete_ns: 630,
  irqfd_notify_ns: 730,
  main_loop_iteration_ns: 2632,
  main_loop_request_ns: 224,
  native_submit_batch_ns: 1561,
  io_uring_enter_ns: 1524,
  threads_submit_req_ns: 1555
};
